using System.Collections.Concurrent;
using Autopilot.Remediation.Alerts;
using Autopilot.Simulator.Faults;
using Autopilot.Simulator.Routes;

namespace Autopilot.Simulator.Workloads;

/// <summary>
/// The simulated workloads and the clock that drives their traffic. Each <see cref="Advance"/> serves the traffic
/// of the time since the previous one, split by the weights the route source holds at that moment.
/// </summary>
public sealed class SimulatedCluster(IRouteWeightSource routes, TimeProvider time)
{
    private readonly ConcurrentDictionary<WorkloadKey, SimulatedWorkload> _workloads = new();
    private readonly object _clockGate = new();
    private DateTimeOffset _lastAdvance = time.GetUtcNow();

    public TimeProvider Time { get; } = time;

    public IRouteWeightSource Routes { get; } = routes;

    public IReadOnlyCollection<SimulatedWorkload> Workloads => [.. _workloads.Values.OrderBy(w => w.Spec.Key.ToString(), StringComparer.Ordinal)];

    public SimulatedWorkload Add(WorkloadSpec spec)
    {
        var workload = new SimulatedWorkload(spec, Time.GetUtcNow());
        if (!_workloads.TryAdd(spec.Key, workload)) throw new InvalidOperationException($"Workload {spec.Key} is already simulated.");
        return workload;
    }

    public SimulatedWorkload Get(WorkloadKey key) =>
        _workloads.TryGetValue(key, out var w) ? w : throw new KeyNotFoundException($"No simulated workload {key}.");

    public bool TryGet(WorkloadKey key, out SimulatedWorkload? workload) => _workloads.TryGetValue(key, out workload);

    public void Inject(WorkloadKey key, Fault fault)
    {
        Advance();
        Get(key).Inject(fault, Time.GetUtcNow());
    }

    public bool Clear(WorkloadKey key, string faultId)
    {
        Advance();
        return Get(key).Clear(faultId, Time.GetUtcNow());
    }

    /// <summary>Serves traffic up to now. Safe to call from several threads; each instant is served once.</summary>
    public void Advance()
    {
        lock (_clockGate)
        {
            var now = Time.GetUtcNow();
            var elapsed = now - _lastAdvance;
            if (elapsed <= TimeSpan.Zero) return;
            _lastAdvance = now;
            foreach (var workload in _workloads.Values)
                workload.Serve(elapsed, now, Routes.CurrentWeights(workload.Spec.Route));
        }
    }

    public IReadOnlyList<WorkloadSnapshot> Snapshot()
    {
        Advance();
        var now = Time.GetUtcNow();
        return [.. Workloads.Select(w => w.Snapshot(now))];
    }
}
