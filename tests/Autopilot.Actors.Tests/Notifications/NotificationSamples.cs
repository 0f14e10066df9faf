using Autopilot.Incidents.Notifications;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Proposals;

namespace Autopilot.Actors.Tests.Notifications;

/// <summary>Incidents, records and options for the notification tests, built by hand.</summary>
internal static class NotificationSamples
{
    public static readonly DateTimeOffset At = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    public const string IncidentId = "shop.checkout.20261125T100000Z.1";

    public static Incident Triaging() => new(IncidentId, IncidentPhase.Triaging, At, At, null, null, ["fp-1"], 0,
        new RollbackCanary("shop/checkout", "checkout-v2 5xx"), ProposalSource.Model, null, false, null, null, 0, null, null, null,
        [new PhaseChange(At, IncidentPhase.Firing, IncidentPhase.Triaging, "triage started")]);

    public static Incident Moved(Incident incident, IncidentPhase to, string reason) => incident with
    {
        Phase = to,
        UpdatedAt = incident.UpdatedAt.AddSeconds(10),
        History = [.. incident.History, new PhaseChange(incident.UpdatedAt.AddSeconds(10), incident.Phase, to, reason)],
    };

    public static IncidentRecord Record(params string[] severities) => IncidentRecord.Open(IncidentId, new WorkloadKey("shop", "checkout"), At) with
    {
        Alerts = new AlertDigest([.. severities.Select((severity, i) => new AlertEntry($"fp-{i}", "CanaryHighErrorRate", AlertStatus.Firing,
            new Dictionary<string, string> { ["severity"] = severity }, new Dictionary<string, string>(), At, 1))],
            severities.Length, severities.Length, 0, ["CanaryHighErrorRate"]),
    };

    public static NotificationsOptions Options(params NotificationReceiver[] receivers) => new()
    {
        PublicUrl = "https://autopilot.example.com/",
        Receivers = [.. receivers],
    };

    public static NotificationReceiver Receiver(string name = "everyone", string[]? namespaces = null, string[]? severities = null, string[]? events = null) => new()
    {
        Name = name,
        Url = "https://hooks.example.com/x",
        Namespaces = [.. namespaces ?? []],
        Severities = [.. severities ?? []],
        Events = [.. events ?? []],
    };

    public static IncidentNotification Escalation() => new(
        $"{IncidentId}/escalated/3", NotificationKind.Escalated, IncidentId, "shop/checkout", "shop", "critical", "escalated",
        "escalated: health could not be judged <@here> & more", "rollback_canary", ["CanaryHighErrorRate"], At,
        $"https://autopilot.example.com/console/incidents/{IncidentId}", ["everyone"]);
}
