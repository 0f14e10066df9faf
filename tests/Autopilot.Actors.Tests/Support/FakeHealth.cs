using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Routing;

namespace Autopilot.Actors.Tests.Support;

/// <summary>
/// Health as the simulator would report it: each version's error ratio is set by the test (its fault), its
/// request rate follows the route weight (1 rps per weight point), so moving traffic off a failing version
/// really lowers the workload's error ratio.
/// </summary>
public sealed class FakeHealth(TimeProvider time) : IWorkloadHealthSource
{
    public Dictionary<string, double> ErrorRatio { get; } = new() { ["checkout-v1"] = 0.001, ["checkout-v2"] = 0.4 };

    public bool Unavailable { get; set; }

    public Task<IReadOnlyList<MetricSnapshot>> ReadAsync(WorkloadKey workload, RouteState? route, CancellationToken ct)
    {
        if (Unavailable) throw new HttpRequestException("prometheus unavailable");
        var weights = route?.Weights() ?? [];
        IReadOnlyList<MetricSnapshot> snapshots = [.. weights.Select(w => new MetricSnapshot(
            w.Name, w.Weight == 0 ? double.NaN : ErrorRatio.GetValueOrDefault(w.Name), 120, w.Weight, 0, time.GetUtcNow()))];
        return Task.FromResult(snapshots);
    }
}
