using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Autopilot.Incidents.Telemetry;

/// <summary>Meter and ActivitySource of the incident loop and the guardrail, whichever host runs them. The name stays
/// "Autopilot.Actors", the name dashboards, alert rules and traces already use.</summary>
public sealed class LoopTelemetry : IDisposable
{
    public const string Name = "Autopilot.Actors";

    private readonly Meter _meter;

    public LoopTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        IncidentsOpen = _meter.CreateUpDownCounter<long>("autopilot.incidents.open", description: "Incidents not yet closed.");
        IncidentsOpened = _meter.CreateCounter<long>("autopilot.incidents.opened", description: "Incidents opened.");
        IncidentsClosed = _meter.CreateCounter<long>("autopilot.incidents.closed", description: "Incidents closed, by phase.");
        Proposals = _meter.CreateCounter<long>("autopilot.proposals", description: "Proposals by guardrail verdict (status) and source.");
        ChangesApplied = _meter.CreateCounter<long>("autopilot.changes.applied", description: "Route changes applied by the guardrail.");
        ChangesUndone = _meter.CreateCounter<long>("autopilot.changes.undone", description: "Route changes undone.");
        Escalations = _meter.CreateCounter<long>("autopilot.escalations", description: "Incidents handed to humans.");
        AlertsDropped = _meter.CreateCounter<long>("autopilot.alerts.dropped", description: "Alert messages dropped as malformed, by reason.");
        AlertsUnresolved = _meter.CreateCounter<long>("autopilot.alerts.unresolved", description: "Alerts whose labels name no workload.");
        DecisionLatency = _meter.CreateHistogram<double>("autopilot.decision.latency", unit: "ms",
            description: "From an incident opening to the guardrail's decision on its proposal.");
        NotificationsSent = _meter.CreateCounter<long>("autopilot.notifications.sent", description: "Notifications a receiver accepted, by receiver and kind.");
        NotificationsFailed = _meter.CreateCounter<long>("autopilot.notifications.failed",
            description: "Notifications a receiver did not accept after every try, by receiver and kind.");
        NotificationsDropped = _meter.CreateCounter<long>("autopilot.notifications.dropped", description: "Notifications dropped because the queue was full, by kind.");
    }

    public static ActivitySource Source { get; } = new(Name);

    public UpDownCounter<long> IncidentsOpen { get; }
    public Counter<long> IncidentsOpened { get; }
    public Counter<long> IncidentsClosed { get; }
    public Counter<long> Proposals { get; }
    public Counter<long> ChangesApplied { get; }
    public Counter<long> ChangesUndone { get; }
    public Counter<long> Escalations { get; }
    public Counter<long> AlertsDropped { get; }
    public Counter<long> AlertsUnresolved { get; }
    public Histogram<double> DecisionLatency { get; }
    public Counter<long> NotificationsSent { get; }
    public Counter<long> NotificationsFailed { get; }
    public Counter<long> NotificationsDropped { get; }

    public void Dispose() => _meter.Dispose();
}
