using Autopilot.Remediation.Policies;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;
using static Autopilot.Remediation.Tests.Proposals.RouteFixtures;

namespace Autopilot.Remediation.Tests.Proposals;

/// <summary>Routes of several rules (per path or header): a proposal is resolved and judged on every rule carrying
/// the workload's backends, and only on those.</summary>
public class MultiRuleRouteTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A route whose rule i has the given backends and weights; stable checkout-v1.</summary>
    private static RouteState Rules(params (string Name, int Weight)[][] rules) =>
        new(Checkout, "1", [.. rules.Select((r, i) => new RouteRule(i, [.. r.Select(w => new BackendWeight(w.Name, w.Weight))]))], Stable,
            new Dictionary<string, string>());

    /// <summary>rule 0: /static → static-web; rule 1: /api → checkout-v1 90 / checkout-v2 10.</summary>
    private static RouteState StaticThenApi => Rules([("static-web", 100)], [(Stable, 90), (Canary, 10)]);

    /// <summary>Both rules carry the canary: rule 0 /api 90/10, rule 1 /api/beta 50/50.</summary>
    private static RouteState CanaryInBoth => Rules([(Stable, 90), (Canary, 10)], [(Stable, 50), (Canary, 50)]);

    private static string Describe(IReadOnlyList<RuleWeights> rules) =>
        string.Join("; ", rules.Select(r => $"{r.RuleIndex}: {string.Join(",", r.After.Select(w => $"{w.Name}={w.Weight}"))}"));

    private static RoutePolicy Policy(int minStable = 0, int maxStep = 100) =>
        new("test", PolicySelector.ForRoute(Checkout), [.. ActionNames.All], minStable, maxStep);

    [Fact]
    public void The_workload_is_perceived_through_the_first_rule_carrying_the_stable_backend()
    {
        Assert.Equal(1, StaticThenApi.PrimaryRule()!.Index);
        Assert.Equal([Stable, Canary], StaticThenApi.WorkloadBackends());
        Assert.Equal([Stable, Canary], ProposalContext.From(StaticThenApi).Backends);
        Assert.Equal(90, ProposalContext.From(StaticThenApi).CurrentWeights![Stable]);
    }

    [Fact]
    public void A_rollback_changes_the_rule_carrying_the_workload_and_leaves_the_other_path_alone()
    {
        var change = TrafficPlan.Resolve(new RollbackCanary("shop/checkout", "bad"), StaticThenApi, Stable)!;

        Assert.Equal("1: checkout-v1=100,checkout-v2=0", Describe(change.Rules));
        Assert.Equal(1, change.RuleIndex);
    }

    [Fact]
    public void A_rollback_changes_every_rule_carrying_the_canary()
    {
        var change = TrafficPlan.Resolve(new RollbackCanary("shop/checkout", "bad"), CanaryInBoth, Stable)!;

        Assert.Equal("0: checkout-v1=100,checkout-v2=0; 1: checkout-v1=100,checkout-v2=0", Describe(change.Rules));
        Assert.Equal("checkout-v1=50,checkout-v2=50", string.Join(",", change.Rules[1].Before.Select(w => $"{w.Name}={w.Weight}")));
    }

    [Fact]
    public void A_rule_carrying_only_the_canary_is_left_alone_by_a_rollback_and_the_primary_rule_comes_first()
    {
        // rule 0: header x-beta → checkout-v2 only; emptying it would drop that traffic, so it is not the plan's to change.
        var route = Rules([(Canary, 100)], [(Stable, 90), (Canary, 10)]);

        var change = TrafficPlan.Resolve(new RollbackCanary("shop/checkout", "bad"), route, Stable)!;

        Assert.Equal("1: checkout-v1=100,checkout-v2=0", Describe(change.Rules));
    }

    [Fact]
    public void A_shift_on_a_rule_carrying_some_of_the_backends_is_renormalised_over_its_own()
    {
        var route = Rules([(Stable, 60), (Canary, 20), ("checkout-v3", 20)], [(Stable, 50), (Canary, 50)]);
        var shift = new ShiftTraffic("shop/checkout", new Dictionary<string, int> { [Stable] = 80, [Canary] = 10, ["checkout-v3"] = 10 }, "x");

        var change = TrafficPlan.Resolve(shift, route, Stable)!;

        Assert.Equal("0: checkout-v1=80,checkout-v2=10,checkout-v3=10; 1: checkout-v1=89,checkout-v2=11", Describe(change.Rules));
    }

    [Fact]
    public void A_backend_the_split_does_not_name_keeps_its_weight_and_the_split_takes_the_workloads_share()
    {
        // rule 1 sends /legacy half to a service that is not the workload's; the rollback moves only the other half.
        var route = Rules([(Stable, 90), (Canary, 10)], [("legacy", 50), (Canary, 50)], [(Stable, 40), (Canary, 60)]);

        var change = TrafficPlan.Resolve(new RollbackCanary("shop/checkout", "bad"), route, Stable)!;

        Assert.Equal("0: checkout-v1=100,checkout-v2=0; 2: checkout-v1=100,checkout-v2=0", Describe(change.Rules));
    }

    [Fact]
    public void Isolation_changes_only_the_rules_carrying_the_isolated_backend()
    {
        var route = Rules([(Stable, 90), ("checkout-v3", 10)], [(Stable, 50), (Canary, 50)]);

        var change = TrafficPlan.Resolve(new IsolateBackend("shop/checkout", Canary, "bad"), route, Stable)!;

        Assert.Equal("1: checkout-v1=100,checkout-v2=0", Describe(change.Rules));
    }

    [Fact]
    public void A_step_bound_broken_on_one_rule_is_denied_naming_that_rule()
    {
        var verdict = PolicyEngine.Evaluate(Shift(80, 20), CanaryInBoth, [], Now, Policy(maxStep: 25));

        Assert.False(verdict.Allowed);
        var violation = Assert.Single(verdict.Violations);
        Assert.Equal("max_step_percent", violation.Rule);
        Assert.Equal(1, violation.RouteRule);
        Assert.Equal("route rule 1: checkout-v1 would move from 50% to 80% (30 points), policy allows at most 25 per step", violation.Message);
    }

    [Fact]
    public void The_stable_floor_holds_on_every_rule_carrying_the_stable_backend()
    {
        var route = Rules([(Stable, 90), (Canary, 10)], [(Stable, 60), ("checkout-v3", 40)]);

        var verdict = PolicyEngine.Evaluate(new IsolateBackend("shop/checkout", "checkout-v3", "bad"), route, [], Now, Policy(minStable: 95));

        // Isolating checkout-v3 changes rule 1 only (checkout-v1 to 100%); rule 0's 90% is not part of the change.
        Assert.True(verdict.Allowed, string.Join("; ", verdict.Violations.Select(v => v.Message)));
        var denied = PolicyEngine.Evaluate(Shift(90, 10), CanaryInBoth, [], Now, Policy(minStable: 95));
        Assert.Equal(["route rule 0: checkout-v1 would get 90%, policy floor is 95%", "route rule 1: checkout-v1 would get 90%, policy floor is 95%"],
            denied.Violations.Select(v => v.Message));
    }

    [Fact]
    public void A_one_rule_change_signs_as_before_and_a_multi_rule_change_as_v2()
    {
        var one = new RouteChange("c1", "i1", Checkout, 0, ChangeKind.SetWeights, [new(Stable, 90)], [new(Stable, 100)], null, "r", false);
        var two = one with { MoreRules = [new RuleWeights(1, [new(Stable, 50)], [new(Stable, 100)])] };
        var key = new byte[32];

        Assert.StartsWith("[\"autopilot.change.v1\"", System.Text.Encoding.UTF8.GetString(ApprovalToken.CanonicalForm(one with { MoreRules = [] })));
        Assert.StartsWith("[\"autopilot.change.v2\"", System.Text.Encoding.UTF8.GetString(ApprovalToken.CanonicalForm(two)));
        // A bridge that ignores moreRules sees the one-rule change, which the multi-rule approval does not cover.
        var token = ApprovalToken.Sign(two, Now.AddMinutes(1), key);
        Assert.Equal(ApprovalCheck.Mismatch, ApprovalToken.Verify(token, one, Now, key));
        Assert.Equal(ApprovalCheck.Valid, ApprovalToken.Verify(token, two, Now, key));
    }
}
