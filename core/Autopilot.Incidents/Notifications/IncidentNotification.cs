namespace Autopilot.Incidents.Notifications;

/// <summary>The incident transitions people are told about.</summary>
public enum NotificationKind
{
    /// <summary>Handed to humans: escalated, denied by policy, not approved, dry run, a failed change or restore.</summary>
    Escalated,

    /// <summary>Policy sent the proposed change to a person for approval.</summary>
    ApprovalNeeded,

    ChangeApplied,

    /// <summary>Verification failed and the change was undone.</summary>
    RolledBack,

    Resolved,
}

/// <summary>
/// One message about one incident transition, as every receiver gets it (each in its own format). <see cref="Key"/>
/// names the transition (incident, kind, sequence) so that neither a retried step nor a retried delivery sends it twice;
/// receivers get it as the message id and may dedupe by it too.
/// </summary>
public sealed record IncidentNotification(
    string Key,
    NotificationKind Kind,
    string IncidentId,
    string Workload,
    string Namespace,
    string? Severity,
    string Phase,
    string Summary,
    string? Action,
    IReadOnlyList<string> AlertNames,
    DateTimeOffset At,
    string? ConsoleUrl,
    IReadOnlyList<string> Receivers)
{
    /// <summary>The dedupe key: the same transition of the same incident always has the same key.</summary>
    public static string KeyOf(string incidentId, NotificationKind kind, int sequence) => $"{incidentId}/{NotificationNames.Of(kind)}/{sequence}";
}

/// <summary>What a receiver answered to one notification, as the sender reports it back to the incident.</summary>
public sealed record NotificationDelivery(string Key, string IncidentId, string Receiver, bool Delivered, int Attempts, string? Error, DateTimeOffset At);

/// <summary>A notification as the incident record keeps it: queued (or dropped), then what each receiver answered.</summary>
public sealed record NotificationRecord(string Key, NotificationKind Kind, DateTimeOffset At, IReadOnlyList<string> Receivers, string Status)
{
    public const string Queued = "queued";
    public const string Dropped = "dropped: the notification queue is full";

    public IReadOnlyList<NotificationDelivery> Deliveries { get; init; } = [];
}

/// <summary>The wire names of <see cref="NotificationKind"/> (the generic webhook's "kind", the Events setting).</summary>
public static class NotificationNames
{
    public static string Of(NotificationKind kind) => kind switch
    {
        NotificationKind.Escalated => "escalated",
        NotificationKind.ApprovalNeeded => "approval_needed",
        NotificationKind.ChangeApplied => "change_applied",
        NotificationKind.RolledBack => "rolled_back",
        NotificationKind.Resolved => "resolved",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<NotificationKind>().Select(Of)];

    /// <summary>A kind by its wire name, or by its enum name in any case.</summary>
    public static NotificationKind? Parse(string name)
    {
        foreach (var kind in Enum.GetValues<NotificationKind>())
        {
            if (string.Equals(Of(kind), name, StringComparison.OrdinalIgnoreCase) || string.Equals(kind.ToString(), name, StringComparison.OrdinalIgnoreCase))
                return kind;
        }
        return null;
    }
}
