using Autopilot.Simulator.Faults;
using Autopilot.Simulator.Workloads;

namespace Autopilot.Simulator.Scenarios;

/// <summary>A fault and when it happens: after a delay from the start, for a while, or until a fix ships after mitigation.</summary>
public sealed record ScheduledFault(Fault Fault, TimeSpan StartAfter, TimeSpan? Duration, TimeSpan? FixedAfterMitigation);

/// <summary>
/// What must have happened for the scenario to pass. Alert: the alert that must reach the incident. AppliedActions:
/// the first change applied to the route (the mitigation) must be one of these; empty means no change at all may be
/// applied.
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
    /// <summary>The workload's error ratio the run may serve from mitigation to its end (5xx / requests); null = no
    /// bound (a scenario that changes nothing).</summary>
    public double? MaxErrorRatioAfterMitigation { get; init; }

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
    string SourcePath)
{
    /// <summary>A proposal that stands in for the model's answer (JSON), to test the deterministic safety net against a
    /// wrong proposal: policy must deny it, or verification must find it did not help and undo it.</summary>
    public string? Proposal { get; init; }
}
