using Autopilot.Remediation.Routing;

namespace Autopilot.Simulator.Scenarios;

/// <summary>The first proposal of the scenario's incident: its action, who wrote it (Model, SopDefault, Fallback), why.</summary>
public sealed record PlannedProposal(string Action, string Source, string Reason);

/// <summary>What actually happened during a scenario run, gathered from the incident's audit trail and the route.</summary>
public sealed record ScenarioOutcome(
    IReadOnlyList<string> AlertsReceived,
    IReadOnlyList<string> AppliedActions,
    bool Escalated,
    bool RestoreCompleted,
    IReadOnlyList<BackendWeight> FinalWeights,
    IReadOnlyList<string> PolicyBreaches,
    PlannedProposal? FirstProposal = null)
{
    /// <summary>Every way the outcome misses the scenario's expectation; empty when it passed.</summary>
    /// <param name="scripted">The proposal stood in for the model's (a wrong-proposal scenario): the prescribed action
    /// is what the SOP would want, not what was proposed.</param>
    public IReadOnlyList<string> Check(ScenarioExpectation expect, bool scripted = false)
    {
        var misses = new List<string>();
        if (!AlertsReceived.Contains(expect.Alert))
            misses.Add($"alert {expect.Alert} never reached the incident (received: {List(AlertsReceived)})");
        if (expect.ForbidsChanges && AppliedActions.Count > 0)
            misses.Add($"no route change was allowed, but {List(AppliedActions)} were applied");
        // The first change is the mitigation; later ones (restore steps) are shift_traffic whatever the mitigation was.
        if (!expect.ForbidsChanges && (AppliedActions.Count == 0 || !expect.AppliedActions.Contains(AppliedActions[0])))
            misses.Add($"expected the mitigation to be one of {List(expect.AppliedActions)}; applied: {List(AppliedActions)}");
        if (expect.Escalated != Escalated)
            misses.Add(expect.Escalated ? "expected an escalation to a human; there was none" : "the incident escalated, which this scenario must not need");
        if (expect.Restored && !RestoreCompleted) misses.Add("traffic was not progressively restored");
        if (expect.FinalWeights is { } final)
        {
            var actual = FinalWeights.ToDictionary(w => w.Name, w => w.Weight);
            if (final.Any(f => actual.GetValueOrDefault(f.Key) != f.Value))
                misses.Add($"final weights are {Weights(FinalWeights)}, expected {string.Join(", ", final.Select(f => $"{f.Key}={f.Value}"))}");
        }
        misses.AddRange(PolicyBreaches.Select(b => "policy broken: " + b));
        if (expect.Prescribed is { Count: > 0 } prescribed && !scripted)
        {
            if (FirstProposal is not { } first)
                misses.Add($"no proposal was planned (the SOP prescribes {List(prescribed)})");
            else
            {
                if (first.Source != "Model") misses.Add($"the first proposal came from {first.Source}, not the model ({first.Reason})");
                if (!prescribed.Contains(first.Action)) misses.Add($"the model proposed {first.Action}; the SOP prescribes {List(prescribed)}");
            }
        }
        return misses;
    }

    /// <summary>
    /// What the model's reason leaves out of the scenario's reason names; reported, not a miss. Whether a reason is
    /// grounded is a rate over many cases (`./autopilot eval`, 70.1 % for the shipped model): the simulator's
    /// measurements differ a little from run to run, so one run's reason would pass or fail by chance.
    /// </summary>
    public IReadOnlyList<string> UnnamedInReason(ScenarioExpectation expect) =>
        FirstProposal is not { Source: "Model" } first ? []
        : [.. (expect.ReasonNames ?? []).Where(n => !n.Split('|').Any(option => first.Reason.Contains(option, StringComparison.OrdinalIgnoreCase)))];

    public static string Weights(IEnumerable<BackendWeight> weights) => string.Join(", ", weights.Select(w => $"{w.Name}={w.Weight}"));

    private static string List(IReadOnlyList<string> items) => items.Count == 0 ? "none" : string.Join(", ", items.Distinct());
}
