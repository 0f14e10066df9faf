using Autopilot.Remediation.Policies;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Decisions.Evaluation;

/// <summary>
/// What the guardrail would decide for a proposal, with the same <see cref="PolicyEngine"/> and policy resolution as
/// GuardrailProcess, but deterministic: the route as the case gives it, the case's own triage time as "now" (freeze
/// windows) and an empty change ledger (no earlier changes count against max_changes).
/// </summary>
public sealed class CasePolicy(PolicySet policies)
{
    public const string NoRoutePolicy = "(no route)";

    public CaseVerdict Judge(Proposal proposal, RouteState? route, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        if (route is null)
        {
            // The guardrail is only reached with a readable route; without one only escalate and no_action can be
            // proposed, and those change nothing a policy protects.
            return proposal.ChangesTraffic
                ? new CaseVerdict(VerdictOutcomes.Denied, NoRoutePolicy, false, ["proposal"], ["the route could not be read, so no traffic change can be applied"])
                : new CaseVerdict(VerdictOutcomes.Allowed, NoRoutePolicy, false, [], []);
        }
        var verdict = PolicyEngine.Evaluate(proposal, route, [], now, policies.Resolve(route.Route));
        return From(verdict);
    }

    public static CaseVerdict From(Verdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        if (!verdict.Allowed)
            return new CaseVerdict(VerdictOutcomes.Denied, verdict.PolicyName, verdict.DryRun,
                [.. verdict.Violations.Select(v => v.Rule).Distinct()], [.. verdict.Violations.Select(v => $"{v.Rule}: {v.Message}")]);
        // A dry-run policy applies nothing, so it never waits for a human (GuardrailProcess does the same).
        return verdict.RequiresHumanApproval && !verdict.DryRun
            ? new CaseVerdict(VerdictOutcomes.NeedsApproval, verdict.PolicyName, false, ["require_approval"], [])
            : new CaseVerdict(VerdictOutcomes.Allowed, verdict.PolicyName, verdict.DryRun, [], []);
    }
}
