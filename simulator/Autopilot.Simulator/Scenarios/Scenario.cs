using Autopilot.Simulator.Faults;
using Autopilot.Simulator.Workloads;

namespace Autopilot.Simulator.Scenarios;

/// <summary>A fault and when it happens: after a delay from the start, for a while, or until a fix ships after mitigation.</summary>
public sealed record ScheduledFault(Fault Fault, TimeSpan StartAfter, TimeSpan? Duration, TimeSpan? FixedAfterMitigation);

/// <summary>
/// What must have happened for the scenario to pass. Alert: the alert that must reach the incident. AppliedActions:
/// at least one of these actions must have been applied to the route; empty means no change at all may be applied.
/// Escalated: whether the incident must (true) or must not (false) escalate to a human. Restored: traffic must be
/// progressively restored after mitigation. FinalWeights: the route's weights at the end, when given. Prescribed: the
/// action class the SOP prescribes for these facts, its preferred action first; when given, the first proposal must be
/// the model's, of one of these actions, so a scenario passes on judgement, not luck. ReasonNames is what a grounded
/// reason names (the faulty backend and its signal; "a|b" accepts either, for a backend out of bounds on two
/// signals); the run reports a reason that leaves one out.
/// </summary>
public sealed record ScenarioExpectation(
    string Alert,
    IReadOnlyList<string> AppliedActions,
    bool Escalated,
    bool Restored,
    IReadOnlyDictionary<string, int>? FinalWeights,
    IReadOnlyList<string>? Prescribed = null,
    IReadOnlyList<string>? ReasonNames = null)
{
    public bool ForbidsChanges => AppliedActions.Count == 0;
}

/// <summary>A scenario file from simulator/scenarios/: one workload, its faults and the expected outcome.</summary>
public sealed record Scenario(
    string Name,
    string Description,
    string Sop,
    WorkloadSpec Workload,
    IReadOnlyList<ScheduledFault> Faults,
    ScenarioExpectation Expect,
    TimeSpan Timeout,
    string SourcePath);
