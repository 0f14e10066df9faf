using Autopilot.GatewayBridge.Client;
using Autopilot.GatewayBridge.Core.Changes;
using Autopilot.GatewayBridge.Core.Journal;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.KubeApi;
using static Autopilot.GatewayBridge.Tests.TestCluster;

namespace Autopilot.GatewayBridge.Tests;

/// <summary>Changes that manage several rules of one route: one approval, one precondition per rule, one patch,
/// one journal entry, and an undo that restores every rule.</summary>
public sealed class MultiRuleChangeTests : IAsyncLifetime
{
    private static readonly RouteRef Storefront = new("shop", "storefront");
    private TestCluster _cluster = null!;
    private GatewayBridgeService _bridge = null!;

    public async Task InitializeAsync()
    {
        _cluster = await StartAsync();
        _bridge = _cluster.Bridge();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <summary>Seeds shop/storefront with one rule per (path, stable weight or null for static-web only).</summary>
    private void Seed(params (string Path, int? Stable)[] rules) =>
        _cluster.Server.Store.Create(KubeResourceType.HttpRoute, "shop", HttpRouteManifest.Create(Storefront,
            [.. rules.Select(r => new RouteRuleSpec(r.Path, r.Stable is { } s ? W(s) : [new BackendWeight("static-web", 1)]))],
            stableBackend: "checkout-v1"));

    /// <summary>What the guardrail does: resolve the proposal against the live route and sign every rule it manages.</summary>
    private async Task<RouteChange> PlanAsync(string changeId, Proposal proposal)
    {
        var route = await _bridge.GetRouteAsync(Storefront);
        var resolved = TrafficPlan.Resolve(proposal, route, route.StableBackend!)!;
        return RouteChange.ForRules(changeId, "inc-1", Storefront, resolved.Kind, resolved.Rules, resolved.RateLimit, proposal.Reason, false);
    }

    private IReadOnlyList<BackendWeight> Rule(int index) =>
        Core.Routes.HttpRouteDocument.ToState(_cluster.Server.Store.Get(KubeResourceType.HttpRoute, "shop", "storefront")).Weights(index);

    private static ShiftTraffic ShiftTo(int stable) =>
        new("shop/storefront", new Dictionary<string, int> { ["checkout-v1"] = stable, ["checkout-v2"] = 100 - stable }, "checkout-v2 5xx");

    [Fact]
    public async Task A_rollback_changes_the_api_rule_and_leaves_the_static_rule_alone()
    {
        Seed(("/static", null), ("/api", 90));
        var change = await PlanAsync("chg-1", new RollbackCanary("shop/storefront", "checkout-v2 5xx"));

        var result = await _bridge.ApplyAsync(change, _cluster.Sign(change));

        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
        Assert.Equal(1, result.RuleIndex);
        Assert.Equal(W(100), result.After);
        Assert.Equal(W(100), Rule(1));
        Assert.Equal([new BackendWeight("static-web", 1)], Rule(0));
    }

    [Fact]
    public async Task A_rollback_changes_every_rule_carrying_the_canary_in_one_patch_and_undo_restores_them_all()
    {
        Seed(("/static", null), ("/api", 90), ("/api/beta", 50));
        var change = await PlanAsync("chg-1", new RollbackCanary("shop/storefront", "checkout-v2 5xx"));
        var version = int.Parse(_cluster.Server.Store.Get(KubeResourceType.HttpRoute, "shop", "storefront")["metadata"]!["resourceVersion"]!.GetValue<string>());

        var applied = await _bridge.ApplyAsync(change, _cluster.Sign(change));

        Assert.Equal([1, 2], applied.Rules.Select(r => r.RuleIndex));
        Assert.Equal(W(100), Rule(1));
        Assert.Equal(W(100), Rule(2));
        var route = await _bridge.GetRouteAsync(Storefront);
        Assert.Equal(version + 1, int.Parse(route.ResourceVersion));
        var entry = Assert.Single(RouteJournal.FromAnnotations(route.Annotations).Entries);
        Assert.Equal([(1, 90), (2, 50)], entry.Rules.Select(r => (r.RuleIndex, r.Before[0].Weight)));

        var undo = new UndoRequest("chg-1", "undo-1", "inc-1", "verification failed", Storefront);
        var undone = await _bridge.UndoAsync(undo, _cluster.SignUndo(undo));

        Assert.Equal(ChangeOutcome.Undone, undone.Outcome);
        Assert.Equal(W(90), Rule(1));
        Assert.Equal(W(50), Rule(2));
        Assert.Equal([new BackendWeight("static-web", 1)], Rule(0));
        var records = await _bridge.ListChangesAsync(Storefront);
        Assert.Equal("undo-1", records[0].UndoneByChangeId);
        Assert.Equal([1, 2], records[0].Change.Rules.Select(r => r.RuleIndex));
    }

    [Fact]
    public async Task A_concurrent_change_on_one_rule_makes_the_bridge_refuse_the_whole_change_with_412()
    {
        Seed(("/api", 90), ("/api/beta", 50));
        var change = await PlanAsync("chg-1", ShiftTo(100));
        // Someone moves rule 1 between the approval and the apply.
        var rival = await PlanAsync("rival", ShiftTo(100)) with { RuleIndex = 1, ExpectedWeights = W(50), NewWeights = W(70), MoreRules = null };
        await _bridge.ApplyAsync(rival, _cluster.Sign(rival));

        var e = await Assert.ThrowsAsync<GatewayBridgeException>(() => _bridge.ApplyAsync(change, _cluster.Sign(change)));

        Assert.Equal(412, e.StatusCode);
        Assert.Contains("rule 1 has [checkout-v1=70, checkout-v2=30] but the approval expected [checkout-v1=50, checkout-v2=50]", e.Detail);
        Assert.DoesNotContain("rule 0", e.Detail);
        Assert.Equal(W(90), Rule(0));
    }

    [Fact]
    public async Task Undo_is_refused_with_412_when_a_later_change_moved_any_rule_it_touched()
    {
        Seed(("/api", 90), ("/api/beta", 50));
        var change = await PlanAsync("chg-1", ShiftTo(80));
        await _bridge.ApplyAsync(change, _cluster.Sign(change));
        var later = await PlanAsync("chg-2", ShiftTo(80)) with { RuleIndex = 1, ExpectedWeights = W(80), NewWeights = W(100), MoreRules = null };
        await _bridge.ApplyAsync(later, _cluster.Sign(later));

        var undo = new UndoRequest("chg-1", "undo-1", "inc-1", "restore", Storefront);
        var e = await Assert.ThrowsAsync<GatewayBridgeException>(() => _bridge.UndoAsync(undo, _cluster.SignUndo(undo)));

        Assert.Equal(412, e.StatusCode);
        Assert.Contains("rule 1 has [checkout-v1=100, checkout-v2=0], not the [checkout-v1=80, checkout-v2=20]", e.Detail);
        Assert.Equal(W(80), Rule(0));
    }

    [Fact]
    public async Task A_change_that_moves_no_rule_is_already_in_place_and_journals_nothing()
    {
        Seed(("/api", 100), ("/api/beta", 100));
        var change = await PlanAsync("chg-1", new RollbackCanary("shop/storefront", "checkout-v2 5xx"));

        var result = await _bridge.ApplyAsync(change, _cluster.Sign(change));

        Assert.Equal(ChangeOutcome.AlreadyInPlace, result.Outcome);
        Assert.Equal(2, result.Rules.Count);
        Assert.Empty(await _bridge.ListChangesAsync(Storefront));
    }

    [Fact]
    public async Task A_change_naming_a_rule_twice_is_refused_as_bad_request()
    {
        Seed(("/api", 90), ("/api/beta", 50));
        var change = await PlanAsync("chg-1", ShiftTo(100));
        var twice = change with { MoreRules = [change.Rules[1], change.Rules[1]] };

        var e = await Assert.ThrowsAsync<GatewayBridgeException>(() => _bridge.ApplyAsync(twice, _cluster.Sign(twice)));

        Assert.Equal(400, e.StatusCode);
        Assert.Contains("change.moreRules[1].ruleIndex", e.Detail);
    }

    [Fact]
    public void A_journal_written_before_multi_rule_changes_reads_as_one_rule_entries()
    {
        const string old = """[{"changeId":"chg-1","incidentId":"inc-1","kind":"SetWeights","ruleIndex":0,"reason":"r","at":"2026-11-25T01:00:00+00:00","before":[{"name":"checkout-v1","weight":90}],"after":[{"name":"checkout-v1","weight":100}]}]""";

        var entry = Assert.Single(RouteJournal.FromAnnotations(new Dictionary<string, string> { [RouteJournal.Annotation] = old }).Entries);

        Assert.Null(entry.MoreRules);
        Assert.Equal([0], entry.Rules.Select(r => r.RuleIndex));
    }
}
