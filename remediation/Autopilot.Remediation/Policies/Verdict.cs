using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Policies;

/// <summary>One rule a proposal broke, named as the policy file names it (e.g. "min_stable_weight").</summary>
public sealed record PolicyViolation(string Rule, string Message)
{
    /// <summary>The route rule (index in spec.rules) a per-rule bound was broken on; null for route-wide rules.</summary>
    public int? RouteRule { get; init; }
}

/// <summary>The guardrail's decision. Allowed is true only with no violations.</summary>
public sealed record Verdict(
    bool Allowed,
    IReadOnlyList<PolicyViolation> Violations,
    bool RequiresHumanApproval,
    bool DryRun,
    string PolicyName)
{
    public static Verdict Deny(string policyName, params PolicyViolation[] violations) =>
        new(false, violations, false, false, policyName);

    /// <summary>The concrete change that was evaluated (null for escalate/no_action or a proposal that does not
    /// fit the route). Apply exactly this, so what runs is what the policy judged.</summary>
    public ResolvedChange? Change { get; init; }
}

/// <summary>A change the guardrail let through, kept per route for the sliding-window limits.</summary>
public sealed record LedgerEntry(DateTimeOffset At, RouteRef Route, string Action, string ChangeId, string IncidentId);
