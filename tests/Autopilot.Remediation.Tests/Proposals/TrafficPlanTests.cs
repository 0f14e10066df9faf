using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;
using static Autopilot.Remediation.Tests.Proposals.RouteFixtures;

namespace Autopilot.Remediation.Tests.Proposals;

public class TrafficPlanTests
{
    private static string Weights(IReadOnlyList<BackendWeight> weights) => string.Join(",", weights.Select(w => $"{w.Name}={w.Weight}"));

    [Fact]
    public void Shift_sets_the_proposed_weights_in_route_order()
    {
        var change = TrafficPlan.Resolve(Shift(70, 30), Checkout9010, Stable)!;

        Assert.Equal(ChangeKind.SetWeights, change.Kind);
        Assert.Equal("checkout-v1=90,checkout-v2=10", Weights(change.Before));
        Assert.Equal("checkout-v1=70,checkout-v2=30", Weights(change.After));
        Assert.Null(change.RateLimit);
    }

    [Fact]
    public void Rollback_sends_everything_to_the_stable_backend()
    {
        var route = Route((Stable, 40), (Canary, 50), ("checkout-v3", 10));

        var change = TrafficPlan.Resolve(new RollbackCanary("shop/checkout", "bad"), route, Stable)!;

        Assert.Equal(ChangeKind.RollbackToKnownGood, change.Kind);
        Assert.Equal("checkout-v1=100,checkout-v2=0,checkout-v3=0", Weights(change.After));
    }

    [Theory]
    [InlineData(60, 30, 10, "checkout-v3", "checkout-v1=67,checkout-v2=33,checkout-v3=0")]
    [InlineData(50, 25, 25, "checkout-v1", "checkout-v1=0,checkout-v2=50,checkout-v3=50")]
    [InlineData(34, 33, 33, "checkout-v1", "checkout-v1=0,checkout-v2=50,checkout-v3=50")]
    [InlineData(10, 0, 90, "checkout-v3", "checkout-v1=100,checkout-v2=0,checkout-v3=0")]
    [InlineData(0, 0, 100, "checkout-v3", "checkout-v1=50,checkout-v2=50,checkout-v3=0")]
    [InlineData(1, 1, 98, "checkout-v3", "checkout-v1=50,checkout-v2=50,checkout-v3=0")]
    [InlineData(2, 1, 97, "checkout-v3", "checkout-v1=67,checkout-v2=33,checkout-v3=0")]
    public void Isolation_spreads_the_isolated_share_over_the_others_in_proportion(int v1, int v2, int v3, string isolated, string expected)
    {
        var route = Route((Stable, v1), (Canary, v2), ("checkout-v3", v3));

        var change = TrafficPlan.Resolve(new IsolateBackend("shop/checkout", isolated, "bad"), route, Stable)!;

        Assert.Equal(ChangeKind.IsolateBackend, change.Kind);
        Assert.Equal(expected, Weights(change.After));
        Assert.Equal(100, change.After.Sum(w => w.Weight));
    }

    [Fact]
    public void Rate_limit_keeps_weights_and_carries_the_limit()
    {
        var change = TrafficPlan.Resolve(new SetRateLimit("shop/checkout", 250, "surge"), Checkout9010, Stable)!;

        Assert.Equal(ChangeKind.SetRateLimit, change.Kind);
        Assert.Equal(Weights(change.Before), Weights(change.After));
        Assert.Equal(new RateLimitSpec(250, 250), change.RateLimit);
    }

    [Fact]
    public void Escalate_and_no_action_have_no_traffic_plan()
    {
        Assert.Null(TrafficPlan.Resolve(new Escalate("dependency down"), Checkout9010, Stable));
        Assert.Null(TrafficPlan.Resolve(new NoAction("flapping"), Checkout9010, Stable));
    }

    [Theory]
    [MemberData(nameof(ProposalsThatDoNotFit))]
    public void Proposals_that_do_not_fit_the_route_are_refused_with_a_reason(Proposal proposal, string stable, string expected)
    {
        Assert.False(TrafficPlan.TryResolve(proposal, Checkout9010, stable, out var change, out var error));
        Assert.Null(change);
        Assert.Contains(expected, error);
        var thrown = Assert.Throws<InvalidOperationException>(() => TrafficPlan.Resolve(proposal, Checkout9010, stable));
        Assert.Equal(error, thrown.Message);
    }

    public static TheoryData<Proposal, string, string> ProposalsThatDoNotFit() => new()
    {
        { Shift(50, 50, route: "shop/cart"), Stable, "shop/cart" },
        { new ShiftTraffic("shop/checkout", new Dictionary<string, int> { [Stable] = 90, ["checkout-v9"] = 10 }, "x"), Stable, "checkout-v9" },
        { new ShiftTraffic("shop/checkout", new Dictionary<string, int> { [Stable] = 100 }, "x"), Stable, "no weight given for checkout-v2" },
        { Shift(60, 30), Stable, "summing to 100" },
        { new RollbackCanary("shop/checkout", "x"), "checkout-v0", "stable backend" },
        { new IsolateBackend("shop/checkout", "checkout-v9", "x"), Stable, "unknown backend" },
        { new SetRateLimit("shop/checkout", 0, "x"), Stable, "positive" },
    };

    [Fact]
    public void Isolating_the_only_backend_is_refused()
    {
        var route = Route((Stable, 100));

        Assert.False(TrafficPlan.TryResolve(new IsolateBackend("shop/checkout", Stable, "x"), route, Stable, out _, out var error));
        Assert.Contains("only backend", error);
    }

    [Theory]
    [InlineData(new[] { 1, 1 }, new[] { 50, 50 })]
    [InlineData(new[] { 1, 1, 1 }, new[] { 34, 33, 33 })]
    [InlineData(new[] { 0, 0 }, new[] { 50, 50 })]
    [InlineData(new[] { 90, 10 }, new[] { 90, 10 })]
    [InlineData(new[] { 500_000, 500_000 }, new[] { 50, 50 })]
    [InlineData(new[] { 3, 1 }, new[] { 75, 25 })]
    public void Relative_route_weights_become_percentages(int[] raw, int[] expected)
    {
        var weights = raw.Select((w, i) => new BackendWeight($"b{i}", w)).ToArray();

        Assert.Equal(expected, TrafficPlan.Percentages(weights).Select(w => w.Weight));
    }
}
