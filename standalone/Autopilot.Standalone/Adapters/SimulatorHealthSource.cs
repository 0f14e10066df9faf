using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.Alerting;

namespace Autopilot.Standalone.Adapters;

/// <summary>
/// Health per version from the built-in evaluator's recorded series, computed over the same window the rules
/// use — what the Prometheus health source would get from a Prometheus scraping the simulator, without one.
/// </summary>
public sealed class SimulatorHealthSource(SeriesHistory history, TimeSpan window, TimeProvider time) : IWorkloadHealthSource
{
    public Task<IReadOnlyList<MetricSnapshot>> ReadAsync(WorkloadKey workload, RouteState? route, CancellationToken ct)
    {
        var latest = history.Latest(workload) ?? throw new InvalidOperationException($"No series recorded for {workload} yet.");
        var backends = route?.Weights().Select(w => w.Name).ToHashSet(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        IReadOnlyList<MetricSnapshot> snapshots = [.. history.Window(workload, window)
            .Where(v => backends is null || backends.Contains(v.Version))
            .Select(v => new MetricSnapshot(
                v.Version,
                v.ErrorRatio,
                v.P99Seconds * 1000,
                v.RequestsPerSecond,
                (int)(latest.Versions.FirstOrDefault(s => s.Version == v.Version)?.Restarts ?? 0),
                now))];
        return Task.FromResult(snapshots);
    }
}
