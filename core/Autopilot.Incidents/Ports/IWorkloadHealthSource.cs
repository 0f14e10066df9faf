using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Routing;

namespace Autopilot.Incidents.Ports;

/// <summary>
/// Current health of a workload per version (backend). When the route is known only its backends are
/// reported. Throws on a source failure (the caller decides what to do without metrics).
/// </summary>
public interface IWorkloadHealthSource
{
    Task<IReadOnlyList<MetricSnapshot>> ReadAsync(WorkloadKey workload, RouteState? route, CancellationToken ct);
}
