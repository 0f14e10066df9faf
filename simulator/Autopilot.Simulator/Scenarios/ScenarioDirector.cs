using Autopilot.Remediation.Routing;
using Autopilot.Simulator.Faults;
using Autopilot.Simulator.Workloads;

namespace Autopilot.Simulator.Scenarios;

/// <summary>A fault the director injected or cleared, for timelines.</summary>
public sealed record FaultEvent(Fault Fault, bool Injected, string Why, DateTimeOffset At);

/// <summary>
/// Plays a scenario's fault schedule against the cluster: injects each fault after its delay, clears it after its
/// duration, or — for "fixed_after_mitigation" — once traffic has moved off the faulty backend (its weight below
/// where it started; for a fault of no one backend, any move off the initial weights) and the fix delay has passed:
/// the team shipped a fixed build while autopilot held traffic away from the broken one. A change that moved traffic
/// the wrong way (raising a failing canary) mitigates nothing and fixes nothing.
/// </summary>
public sealed class ScenarioDirector
{
    private readonly SimulatedCluster _cluster;
    private readonly Scenario _scenario;
    private readonly DateTimeOffset _start;
    private readonly Dictionary<ScheduledFault, FaultPhase> _phases = [];
    private readonly Dictionary<ScheduledFault, DateTimeOffset> _mitigated = [];

    public ScenarioDirector(SimulatedCluster cluster, Scenario scenario)
    {
        _cluster = cluster;
        _scenario = scenario;
        _start = cluster.Time.GetUtcNow();
        foreach (var fault in scenario.Faults) _phases[fault] = FaultPhase.Scheduled;
    }

    public event Action<FaultEvent>? FaultChanged;

    /// <summary>When traffic first moved off a faulty backend (see above), if it has.</summary>
    public DateTimeOffset? MitigatedAt => _mitigated.Count == 0 ? null : _mitigated.Values.Min();

    public bool AllFaultsCleared => _phases.Values.All(p => p == FaultPhase.Cleared);

    public async Task RunAsync(TimeSpan tick, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(tick, _cluster.Time);
        do Tick();
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    public void Tick()
    {
        var now = _cluster.Time.GetUtcNow();
        var key = _scenario.Workload.Key;
        foreach (var (scheduled, phase) in _phases.ToList())
        {
            if (phase == FaultPhase.Active && !_mitigated.ContainsKey(scheduled) && MovedOff(scheduled.Fault)) _mitigated[scheduled] = now;
            if (phase == FaultPhase.Scheduled && now - _start >= scheduled.StartAfter)
            {
                _cluster.Inject(key, scheduled.Fault);
                _phases[scheduled] = FaultPhase.Active;
                FaultChanged?.Invoke(new FaultEvent(scheduled.Fault, true, "scheduled", now));
            }
            else if (phase == FaultPhase.Active && ClearReason(scheduled, now) is { } why)
            {
                _cluster.Clear(key, scheduled.Fault.Id);
                _phases[scheduled] = FaultPhase.Cleared;
                FaultChanged?.Invoke(new FaultEvent(scheduled.Fault, false, why, now));
            }
        }
    }

    private string? ClearReason(ScheduledFault scheduled, DateTimeOffset now)
    {
        if (scheduled.Duration is { } duration && now - _start >= scheduled.StartAfter + duration) return "its duration ended";
        if (scheduled.FixedAfterMitigation is { } fix && _mitigated.TryGetValue(scheduled, out var mitigated) && now - mitigated >= fix)
            return "a fixed build shipped after mitigation";
        return null;
    }

    private bool MovedOff(Fault fault)
    {
        var current = _cluster.Routes.CurrentWeights(_scenario.Workload.Route);
        if (current is null) return false;
        var initial = _scenario.Workload.InitialWeights;
        if (fault.Backend is { } faulty)
            return (current.FirstOrDefault(c => c.Name == faulty)?.Weight ?? 0) < (initial.FirstOrDefault(i => i.Name == faulty)?.Weight ?? 0);
        return initial.Any(i => current.FirstOrDefault(c => c.Name == i.Name)?.Weight != i.Weight);
    }

    private enum FaultPhase
    {
        Scheduled,
        Active,
        Cleared,
    }
}
