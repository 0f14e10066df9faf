using System.Globalization;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Policies;

/// <summary>
/// Decides whether a proposal may be applied to a route. Pure: the ledger and the clock are parameters, no
/// I/O, same inputs give the same verdict. Every broken rule is reported, not just the first, so an operator
/// sees everything that stands in the way at once.
/// </summary>
public static class PolicyEngine
{
    public static Verdict Evaluate(Proposal proposal, RouteState route, IReadOnlyList<LedgerEntry> ledger, DateTimeOffset now, RoutePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(policy);

        // Escalating or doing nothing changes no traffic: no rule has anything to protect, nothing needs approving.
        if (!proposal.ChangesTraffic) return new Verdict(true, [], false, policy.DryRun, policy.Name);
        var requiresApproval = policy.RequireApprovalOrEmpty.Contains(proposal.Action);

        var violations = new List<PolicyViolation>();
        if (!policy.AllowedActions.Contains(proposal.Action))
        {
            var allowed = policy.AllowedActions.Count == 0 ? "no traffic changes" : string.Join(", ", policy.AllowedActions);
            violations.Add(new("allowed_actions", $"{proposal.Action} is not allowed by policy '{policy.Name}'; it allows {allowed} (escalate and no_action are always allowed)"));
        }
        if (policy.Namespaces is { } namespaces && !namespaces.Contains(route.Route.Namespace))
            violations.Add(new("namespaces", $"namespace '{route.Route.Namespace}' is not one policy '{policy.Name}' allows changes in ({string.Join(", ", namespaces)})"));

        ResolvedChange? change = null;
        if (!TrafficPlan.TryResolve(proposal, route, route.StableBackend, out change, out var planError))
            violations.Add(new("proposal", planError));
        else if (change is not null)
        {
            if (change.Kind == ChangeKind.SetRateLimit) CheckRateLimit(change.RateLimit!, policy, violations);
            else CheckWeights(proposal, change, route, policy, violations);
        }

        CheckChangeBudget(route.Route, ledger, now, policy, violations);
        foreach (var window in policy.FreezeWindowsOrEmpty.Where(w => w.Covers(now)))
            violations.Add(new("freeze_windows", $"{Utc(now)} is inside freeze window '{window.Name}' ({window.Describe()})"));

        return new Verdict(violations.Count == 0, violations, requiresApproval, policy.DryRun, policy.Name) { Change = change };
    }

    /// <summary>Actions that count against max_changes: the ones that change traffic.</summary>
    public static bool CountsAsChange(string action) =>
        action is ActionNames.ShiftTraffic or ActionNames.RollbackCanary or ActionNames.IsolateBackend or ActionNames.SetRateLimit;

    /// <summary>Bounds hold per managed rule: each rule is its own traffic split, and a rule a change drains is
    /// drained whatever another rule keeps. A violation names the rule (on a route of several).</summary>
    private static void CheckWeights(Proposal proposal, ResolvedChange change, RouteState route, RoutePolicy policy, List<PolicyViolation> violations)
    {
        if (policy.MinStableWeight > 0)
        {
            // The floor protects the stable backend where it serves; a rule that never carried it (a canary-only
            // header rule) has no stable share to keep.
            var stableRules = route.StableBackend is { } s
                ? change.Rules.Select(r => (r.RuleIndex, Stable: r.After.FirstOrDefault(w => w.Name == s))).Where(r => r.Stable is not null).ToList()
                : [];
            if (stableRules.Count == 0)
                violations.Add(new("min_stable_weight", $"route {route.Route} names no stable backend among its backends (annotation autopilot.io/stable-backend), so the {policy.MinStableWeight}% floor cannot be enforced"));
            foreach (var (index, stable) in stableRules.Where(r => r.Stable!.Weight < policy.MinStableWeight))
                violations.Add(new("min_stable_weight", $"{RulePrefix(route, index)}{stable!.Name} would get {stable.Weight}%, policy floor is {policy.MinStableWeight}%") { RouteRule = index });
        }

        // Rolling back only moves traffic onto the known-good backend, so it is exempt from the step limit:
        // a policy must never make the safe way out slower than the risky way in.
        if (proposal is RollbackCanary) return;
        foreach (var rule in change.Rules)
        {
            var before = TrafficPlan.Percentages(rule.Before).ToDictionary(w => w.Name, w => w.Weight);
            var largest = rule.After
                .Select(w => (w.Name, From: before[w.Name], To: w.Weight))
                .OrderByDescending(m => Math.Abs(m.To - m.From))
                .First();
            var moved = Math.Abs(largest.To - largest.From);
            if (moved > policy.MaxStepPercent)
                violations.Add(new("max_step_percent", $"{RulePrefix(route, rule.RuleIndex)}{largest.Name} would move from {largest.From}% to {largest.To}% ({moved} points), policy allows at most {policy.MaxStepPercent} per step") { RouteRule = rule.RuleIndex });
        }
    }

    /// <summary>"route rule 1: " on a route of several rules; nothing on a one-rule route, where it could only be that one.</summary>
    private static string RulePrefix(RouteState route, int ruleIndex) => route.Rules.Count > 1 ? $"route rule {ruleIndex}: " : "";

    private static void CheckRateLimit(RateLimitSpec limit, RoutePolicy policy, List<PolicyViolation> violations)
    {
        if (policy.MinRequestsPerSecond is { } min && limit.RequestsPerSecond < min)
            violations.Add(new("min_requests_per_second", $"a limit of {limit.RequestsPerSecond} requests/s is below the policy minimum of {min}"));
        if (policy.MaxRequestsPerSecond is { } max && limit.RequestsPerSecond > max)
            violations.Add(new("max_requests_per_second", $"a limit of {limit.RequestsPerSecond} requests/s is above the policy maximum of {max}"));
    }

    private static void CheckChangeBudget(RouteRef route, IReadOnlyList<LedgerEntry> ledger, DateTimeOffset now, RoutePolicy policy, List<PolicyViolation> violations)
    {
        if (policy.MaxChanges is not { } budget) return;
        // The window is (now - window, now]; an entry exactly one window old has slid out. Entries stamped
        // after now (clock skew between replicas) still count: erring towards fewer changes is the safe side.
        var since = now - budget.Window;
        var recent = ledger
            .Where(e => e.Route == route && CountsAsChange(e.Action) && e.At > since)
            .Select(e => e.At)
            .Order()
            .ToArray();
        if (recent.Length < budget.Count) return;
        var nextAllowed = recent[recent.Length - budget.Count] + budget.Window;
        violations.Add(new("max_changes", $"{recent.Length} changes to {route} in the last {PolicyDuration.Format(budget.Window)}, policy allows {budget.Count}; next change possible at {Utc(nextAllowed)}"));
    }

    private static string Utc(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
