using Autopilot.Actors.Tests.Support;
using Autopilot.GatewayBridge.Core.Routes;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.KubeApi;

namespace Autopilot.Actors.Tests.Incidents;

/// <summary>The loop and the guardrail on a route of several rules: the rules carrying the workload's backends are
/// changed together, judged rule by rule, and undone together; other rules are never touched.</summary>
public sealed class MultiRuleRouteLoopTests : IAsyncLifetime
{
    private LoopHarness _loop = null!;

    public async Task InitializeAsync() => _loop = await LoopHarness.StartAsync();

    public async Task DisposeAsync() => await _loop.DisposeAsync();

    /// <summary>Replaces shop/checkout with rules: /static → static-web, then one rule per given stable weight.</summary>
    private void Rules(params int[] stableWeights)
    {
        var store = _loop.Cluster.Server.Store;
        store.Delete(KubeResourceType.HttpRoute, "shop", "checkout");
        store.Create(KubeResourceType.HttpRoute, "shop", HttpRouteManifest.Create(LoopHarness.CheckoutRoute,
            [new RouteRuleSpec("/static", [new BackendWeight("static-web", 1)]),
             .. stableWeights.Select((w, i) => new RouteRuleSpec($"/api/{i}", [new BackendWeight("checkout-v1", w), new BackendWeight("checkout-v2", 100 - w)]))],
            stableBackend: "checkout-v1", labels: new Dictionary<string, string> { ["autopilot.io/workload"] = "checkout" }));
    }

    private IReadOnlyList<BackendWeight> Rule(int index) =>
        HttpRouteDocument.ToState(_loop.Cluster.Server.Store.Get(KubeResourceType.HttpRoute, "shop", "checkout")).Weights(index);

    [Fact]
    public async Task A_canary_alert_shifts_the_api_rule_and_leaves_the_static_rule_alone()
    {
        Rules(90);
        _loop.ModelAnswers("""{"action":"shift_traffic","route":"shop/checkout","weights":{"checkout-v1":100,"checkout-v2":0},"reason":"checkout-v2 returns 5xx"}""");

        await _loop.AlertAsync(LoopHarness.CanaryHighErrorRate());

        Assert.Equal(100, Rule(1).Single(w => w.Name == "checkout-v1").Weight);
        Assert.Equal([new BackendWeight("static-web", 1)], Rule(0));
        var state = await _loop.StateAsync();
        Assert.Equal(IncidentPhase.Applied, state.Machine.Current!.Phase);
        Assert.Equal(90, state.Machine.Current.WeightsBefore!.Single(w => w.Name == "checkout-v1").Weight);
    }

    [Fact]
    public async Task A_rollback_changes_both_rules_carrying_the_canary_and_undo_restores_both()
    {
        Rules(90, 70);

        var decision = await _loop.Runtime.SubmitAsync(new ProposalSubmission("inc-1", "chg-1", LoopHarness.CheckoutRoute,
            new RollbackCanary("shop/checkout", "checkout-v2 err out of bounds")), CancellationToken.None);

        Assert.Equal(DecisionStatus.Applied, decision.Status);
        Assert.Equal([1, 2], decision.Change!.Rules.Select(r => r.RuleIndex));
        Assert.Equal([1, 2], decision.Result!.Rules.Select(r => r.RuleIndex));
        Assert.Equal(100, Rule(1)[0].Weight);
        Assert.Equal(100, Rule(2)[0].Weight);

        var undo = await _loop.Runtime.UndoAsync(new UndoSubmission("inc-1", "chg-1", "undo-chg-1", LoopHarness.CheckoutRoute,
            "verification failed"), CancellationToken.None);

        Assert.Equal(DecisionStatus.Undone, undo.Status);
        Assert.Equal(90, Rule(1)[0].Weight);
        Assert.Equal(70, Rule(2)[0].Weight);
        Assert.Equal([new BackendWeight("static-web", 1)], Rule(0));
    }

    [Fact]
    public async Task A_shift_within_bounds_on_one_rule_but_not_on_another_is_denied_naming_that_rule()
    {
        // The policy allows steps of 50: rule 1 moves 10 points, rule 2 moves 70.
        Rules(90, 30);

        var decision = await _loop.Runtime.SubmitAsync(new ProposalSubmission("inc-1", "chg-1", LoopHarness.CheckoutRoute,
            new ShiftTraffic("shop/checkout", new Dictionary<string, int> { ["checkout-v1"] = 100, ["checkout-v2"] = 0 }, "checkout-v2 5xx")),
            CancellationToken.None);

        Assert.Equal(DecisionStatus.Denied, decision.Status);
        var violation = Assert.Single(decision.Verdict!.Violations);
        Assert.Equal("max_step_percent", violation.Rule);
        Assert.Equal(2, violation.RouteRule);
        Assert.StartsWith("route rule 2: ", violation.Message);
        Assert.Equal(30, Rule(2)[0].Weight);
        Assert.Equal(90, Rule(1)[0].Weight);
    }
}
