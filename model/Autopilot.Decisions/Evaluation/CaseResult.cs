namespace Autopilot.Decisions.Evaluation;

/// <summary>
/// How one model did on one case: what was expected, what the planner proposed and why, how it was judged, and what
/// the guardrail policy would have said. Every figure of <see cref="ModelFigures"/> is computed from these alone, so a
/// report can be re-scored or audited from its case records.
/// </summary>
public sealed record CaseResult
{
    public required string Id { get; init; }
    public required string Kind { get; init; }

    /// <summary>The SOP the case says should govern it; null when no SOP covers it.</summary>
    public string? Sop { get; init; }

    /// <summary>The SOP the retriever picked (what the planner was actually given); null when none matched.</summary>
    public string? MatchedSop { get; init; }

    public IReadOnlyList<string> ExpectedActions { get; init; } = [];
    public IReadOnlyList<string> ForbiddenActions { get; init; } = [];

    /// <summary>The action the SOP prescribes for these facts (the first expected action); null for Forbidden-only cases.</summary>
    public string? Prescribed => ExpectedActions.Count > 0 ? ExpectedActions[0] : null;

    public required string Action { get; init; }

    /// <summary>Model, SopDefault or Fallback (ProposalSource).</summary>
    public required string Source { get; init; }

    public bool WrittenByModel => Source == nameof(Remediation.Incidents.ProposalSource.Model);

    public required bool CorrectAction { get; init; }

    /// <summary>Whether the proposal's parameters keep the case's bounds; null when the proposal has no parameter the
    /// case bounds (escalate, no_action, or no bound given for it).</summary>
    public bool? WithinBounds { get; init; }

    /// <summary>Which bound was broken, for the person reading the failure.</summary>
    public string? BoundsProblem { get; init; }

    /// <summary>Whether the reason names every expected name; null when not judged (a proposal the model did not
    /// write, or a case without ReasonNames).</summary>
    public bool? Grounded { get; init; }

    /// <summary>The planner asked the model (an SOP matched and allowed at least one action).</summary>
    public required bool ModelAsked { get; init; }

    /// <summary>The model answered but the parser rejected the answer.</summary>
    public bool InvalidOutput => ParseError is not null;

    public string? ParseError { get; init; }

    /// <summary>Why the model's answer was not available (unavailable, timed out); null when it answered or was not asked.</summary>
    public string? ModelError { get; init; }

    /// <summary>Why the model was not asked at all (no SOP, no action possible on an unknown route).</summary>
    public string? NotAskedBecause { get; init; }

    public required CaseVerdict Verdict { get; init; }

    /// <summary>Wall time of the planner call alone (perception and policy excluded).</summary>
    public double LatencyMs { get; init; }

    public int? PromptTokens { get; init; }
    public int? CompletionTokens { get; init; }

    public required string Reason { get; init; }
    public string? RawOutput { get; init; }
}

/// <summary>What the guardrail's policy engine decided for the proposal: <see cref="VerdictOutcomes"/>, the policy, and
/// every rule that stands in the way (violated rules, or "require_approval").</summary>
public sealed record CaseVerdict(string Outcome, string Policy, bool DryRun, IReadOnlyList<string> Rules, IReadOnlyList<string> Messages);

public static class VerdictOutcomes
{
    public const string Allowed = "allowed";
    public const string Denied = "denied";
    public const string NeedsApproval = "needs_approval";

    public static readonly IReadOnlyList<string> All = [Allowed, Denied, NeedsApproval];
}
