using System.Text.Json;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Incidents;

namespace Autopilot.Incidents.Notifications;

/// <summary>
/// Which notifications one accepted transition of the incident machine makes, and who gets them. Pure: the incident
/// before and after, its record and the receivers in; messages out, each with the receivers that want it. A transition
/// nobody wants makes no message.
/// </summary>
public static class TransitionNotifications
{
    /// <summary>Alert severities from most to least severe; the incident's severity is the most severe of its alerts'.
    /// A severity not listed ranks below these.</summary>
    private static readonly string[] SeverityOrder = ["critical", "page", "high", "error", "warning", "medium", "low", "info"];

    public static IReadOnlyList<IncidentNotification> For(Incident? before, Incident after, IncidentRecord record, NotificationsOptions options)
    {
        var previous = before?.Id == after.Id ? before : null;
        var kind = KindOf(previous, after);
        if (kind is null) return [];

        var ns = record.Workload.Split('/')[0];
        var message = new IncidentNotification(
            IncidentNotification.KeyOf(after.Id, kind.Value, after.History.Count),
            kind.Value,
            after.Id,
            record.Workload,
            ns,
            SeverityOf(record),
            JsonNamingPolicy.SnakeCaseLower.ConvertName(after.Phase.ToString()),
            SummaryOf(kind.Value, after, record),
            after.Proposal?.Action,
            record.Alerts.Names,
            after.UpdatedAt,
            options.ConsoleUrl(after.Id)?.ToString(),
            []);
        var receivers = options.Receivers.Where(r => r.Wants(message)).Select(r => r.Name).ToList();
        return receivers.Count == 0 ? [] : [message with { Receivers = receivers }];
    }

    private static NotificationKind? KindOf(Incident? before, Incident after)
    {
        if (before?.Phase != after.Phase)
        {
            return after.Phase switch
            {
                IncidentPhase.Applied => NotificationKind.ChangeApplied,
                IncidentPhase.RolledBack => NotificationKind.RolledBack,
                IncidentPhase.Escalated or IncidentPhase.Denied => NotificationKind.Escalated,
                IncidentPhase.Resolved => NotificationKind.Resolved,
                _ => null,
            };
        }
        return after is { Phase: IncidentPhase.Proposed, AwaitingApproval: true } && before is { AwaitingApproval: false }
            ? NotificationKind.ApprovalNeeded
            : null;
    }

    private static string SummaryOf(NotificationKind kind, Incident incident, IncidentRecord record)
    {
        if (kind != NotificationKind.ApprovalNeeded) return incident.History[^1].Reason;
        var diff = record.Decision?.Change is { } change
            ? $"{Weights(change.ExpectedWeights)} → {Weights(change.NewWeights)}"
            : "the proposed change";
        var why = record.Decision?.Verdict is { } verdict ? $" (policy {verdict.PolicyName} requires a person's approval)" : "";
        return $"{incident.Proposal?.Action} waits for a person to approve {diff}{why}: {incident.Proposal?.Reason}";
    }

    private static string? SeverityOf(IncidentRecord record)
    {
        var severities = record.Alerts.Entries
            .Select(a => a.Labels.TryGetValue("severity", out var s) ? s.ToLowerInvariant() : null)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return severities.OrderBy(s => Array.IndexOf(SeverityOrder, s) is var rank and >= 0 ? rank : SeverityOrder.Length)
            .ThenBy(s => s, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    private static string Weights(IReadOnlyList<Remediation.Routing.BackendWeight> weights) =>
        string.Join(" ", weights.Select(w => $"{w.Name}={w.Weight}"));
}
