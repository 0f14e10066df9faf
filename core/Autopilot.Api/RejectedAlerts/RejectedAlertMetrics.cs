using System.Diagnostics.Metrics;
using Autopilot.Incidents.Telemetry;

namespace Autopilot.Api.RejectedAlerts;

/// <summary>The webhook's refusal counters on the loop's meter: alerts rejected (tag <c>label</c>: the label at fault,
/// from the configured mapping, so the cardinality is bounded), and rejected alerts let go from the list because it
/// held <see cref="Alerts.AlertsOptions.MaxRejectedKept"/>.</summary>
public sealed class RejectedAlertMetrics
{
    public RejectedAlertMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(LoopTelemetry.Name);
        Rejected = meter.CreateCounter<long>("autopilot.alerts.rejected",
            description: "Alerts POST /alertmanager refused because they name no valid workload, by label at fault.");
        Dropped = meter.CreateCounter<long>("autopilot.alerts.rejected.dropped",
            description: "Rejected alerts let go from GET /alerts/rejected (oldest first) because it held Autopilot:Alerts:MaxRejectedKept.");
    }

    public Counter<long> Rejected { get; }

    public Counter<long> Dropped { get; }
}
