using Autopilot.Decisions.Cases;
using Autopilot.Incidents.Planning;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Decisions.Evaluation;

/// <summary>Judges one planner outcome against the case's expectation. Pure: same case and outcome, same record.</summary>
public static class CaseScoring
{
    public static CaseResult Score(DecisionCase c, PlanOutcome outcome, CaseVerdict verdict, RouteState? route, double latencyMs)
    {
        ArgumentNullException.ThrowIfNull(c);
        ArgumentNullException.ThrowIfNull(outcome);
        var proposal = outcome.Proposal;
        var record = outcome.Record;
        // The planner records the actions it offered the model; none offered means it never asked, and its
        // ModelError then says why it did not (no SOP, unknown route) rather than a model failure.
        var asked = record.AllowedActions.Count > 0;
        var (withinBounds, boundsProblem) = Bounds(c.Expect, proposal, route);
        return new CaseResult
        {
            Id = c.Id,
            Kind = c.Kind,
            Sop = c.Sop,
            MatchedSop = record.SopId,
            ExpectedActions = c.Expect.Actions,
            ForbiddenActions = c.Expect.Forbidden,
            Action = proposal.Action,
            Source = outcome.Source.ToString(),
            CorrectAction = IsCorrectAction(c.Expect, proposal.Action),
            WithinBounds = withinBounds,
            BoundsProblem = boundsProblem,
            Grounded = outcome.Source == ProposalSource.Model ? IsGrounded(c.Expect, proposal.Reason) : null,
            ModelAsked = asked,
            ParseError = record.ParseError,
            ModelError = asked ? record.ModelError : null,
            NotAskedBecause = asked ? null : record.ModelError,
            Verdict = verdict,
            LatencyMs = latencyMs,
            PromptTokens = record.PromptTokens,
            CompletionTokens = record.CompletionTokens,
            Reason = proposal.Reason,
            RawOutput = record.RawOutput,
        };
    }

    /// <summary>In the acceptable actions; or, when the case lists none, not among the wrong ones.</summary>
    public static bool IsCorrectAction(CaseExpectation expect, string action) =>
        expect.Actions.Count > 0 ? expect.Actions.Contains(action) : !expect.Forbidden.Contains(action);

    /// <summary>Whether the reason names everything the case asks for; null when the case asks for nothing.</summary>
    public static bool? IsGrounded(CaseExpectation expect, string reason) =>
        expect.ReasonNames.Count == 0 ? null
        : expect.ReasonNames.All(name => reason.Contains(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Checks the parameters the case bounds: the weights the proposal would leave (shift, isolate and rollback,
    /// resolved on the case's route exactly as the guardrail resolves them), the isolated backend, the rate limit.
    /// (null, null) when nothing the proposal sets is bounded.
    /// </summary>
    public static (bool? Within, string? Problem) Bounds(CaseExpectation expect, Proposal proposal, RouteState? route)
    {
        ArgumentNullException.ThrowIfNull(expect);
        ArgumentNullException.ThrowIfNull(proposal);
        var problems = new List<string>();
        var judged = false;
        if (proposal is IsolateBackend isolate && expect.Isolate.Count > 0)
        {
            judged = true;
            if (!expect.Isolate.Contains(isolate.Backend))
                problems.Add($"isolates {isolate.Backend}, expected one of {string.Join(", ", expect.Isolate)}");
        }
        if (proposal is SetRateLimit rate && expect.RequestsPerSecond is { } rps)
        {
            judged = true;
            if (rate.RequestsPerSecond < rps.Min || rate.RequestsPerSecond > rps.Max)
                problems.Add($"{rate.RequestsPerSecond} requests/s is outside {rps.Min}..{rps.Max}");
        }
        if (proposal is ShiftTraffic or IsolateBackend or RollbackCanary && expect.Weights.Count > 0)
        {
            judged = true;
            if (WeightProblem(expect.Weights, proposal, route) is { } problem) problems.Add(problem);
        }
        return judged ? (problems.Count == 0, problems.Count == 0 ? null : string.Join("; ", problems)) : (null, null);
    }

    private static string? WeightProblem(IReadOnlyDictionary<string, WeightBound> bounds, Proposal proposal, RouteState? route)
    {
        if (route is null) return "the case has no route to apply the weights to";
        if (!TrafficPlan.TryResolve(proposal, route, route.StableBackend, out var change, out var error) || change is null)
            return error.Length > 0 ? error : $"{proposal.Action} changes no weights";
        var after = change.After.ToDictionary(w => w.Name, w => w.Weight, StringComparer.Ordinal);
        var broken = new List<string>();
        foreach (var (backend, bound) in bounds.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            var weight = after.GetValueOrDefault(backend);
            if (weight < bound.Min || weight > bound.Max)
                broken.Add($"{backend}={weight} outside {bound.Min?.ToString() ?? "0"}..{bound.Max?.ToString() ?? "100"}");
        }
        return broken.Count == 0 ? null : string.Join(", ", broken);
    }
}
