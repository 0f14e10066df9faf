using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Compaction;

/// <summary>Everything the incident knows about one workload right now. RecentActions are one-line
/// descriptions in chronological order (oldest first), e.g. "00:31Z shift_traffic checkout-v2=10 applied".</summary>
public sealed record FactSheetInput(
    WorkloadKey Workload,
    IReadOnlyList<Alert> Alerts,
    IReadOnlyList<MetricSnapshot> Metrics,
    RouteState? Route,
    IReadOnlyList<string> RecentActions,
    DateTimeOffset Now);
