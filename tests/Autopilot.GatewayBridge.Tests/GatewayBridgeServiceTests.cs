using System.Text.Json.Nodes;
using Autopilot.GatewayBridge.Client;
using Autopilot.GatewayBridge.Core.Changes;
using Autopilot.GatewayBridge.Core.Journal;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.KubeApi;
using static Autopilot.GatewayBridge.Tests.TestCluster;

namespace Autopilot.GatewayBridge.Tests;

/// <summary>The bridge against the fake API server over loopback HTTP, through the real KubernetesClient.</summary>
public sealed class GatewayBridgeServiceTests : IAsyncLifetime
{
    private TestCluster _cluster = null!;
    private GatewayBridgeService _bridge = null!;

    public async Task InitializeAsync()
    {
        _cluster = await StartAsync();
        _bridge = _cluster.Bridge();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Applies_approved_weights_and_annotates_the_route_for_audit()
    {
        var change = Shift("chg-1", 90, 100);
        var result = await _bridge.ApplyAsync(change, _cluster.Sign(change));

        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
        Assert.Equal(W(90), result.Before);
        Assert.Equal(W(100), result.After);
        Assert.Equal(W(100), _cluster.Weights());
        var route = await _bridge.GetRouteAsync(Checkout);
        Assert.Equal(result.ResourceVersion, route.ResourceVersion);
        Assert.Equal("chg-1", route.Annotations[GatewayBridgeService.LastChangeIdAnnotation]);
        Assert.Equal("inc-1", route.Annotations[GatewayBridgeService.LastIncidentIdAnnotation]);
        Assert.Equal("checkout-v2 5xx ratio 0.31", route.Annotations[GatewayBridgeService.LastReasonAnnotation]);
        Assert.Equal("checkout-v1", route.StableBackend);
    }

    [Fact]
    public async Task Patches_only_weights_and_leaves_the_rest_of_the_route_alone()
    {
        var before = _cluster.Server.Store.Get(KubeResourceType.HttpRoute, "shop", "checkout");
        var change = Shift("chg-1", 90, 60);
        await _bridge.ApplyAsync(change, _cluster.Sign(change));
        var after = _cluster.Server.Store.Get(KubeResourceType.HttpRoute, "shop", "checkout");

        Assert.True(JsonNode.DeepEquals(before["spec"]!["parentRefs"], after["spec"]!["parentRefs"]));
        Assert.True(JsonNode.DeepEquals(before["spec"]!["rules"]![0]!["matches"], after["spec"]!["rules"]![0]!["matches"]));
        Assert.Equal(8080, after["spec"]!["rules"]![0]!["backendRefs"]![1]!["port"]!.GetValue<int>());
        Assert.Contains(after["metadata"]!["managedFields"]!.AsArray(), f => f!["manager"]!.GetValue<string>() == "autopilot");
    }

    [Fact]
    public async Task A_change_to_the_weights_already_in_place_patches_and_journals_nothing()
    {
        var first = Shift("chg-1", 90, 100);
        await _bridge.ApplyAsync(first, _cluster.Sign(first));
        var version = _cluster.ResourceVersion();

        var repeat = Shift("chg-2", 100, 100);
        var result = await _bridge.ApplyAsync(repeat, _cluster.Sign(repeat));

        Assert.Equal(ChangeOutcome.AlreadyInPlace, result.Outcome);
        Assert.Equal(W(100), result.Before);
        Assert.Equal(W(100), result.After);
        Assert.Equal(version, _cluster.ResourceVersion());
        Assert.Equal(["chg-1"], (await _bridge.ListChangesAsync(Checkout)).Select(c => c.Change.ChangeId));
    }

    [Fact]
    public async Task Replaying_a_change_id_is_a_no_op_reported_as_already_applied()
    {
        var change = Shift("chg-1", 90, 100);
        var token = _cluster.Sign(change);
        var first = await _bridge.ApplyAsync(change, token);
        var version = _cluster.ResourceVersion();

        var replay = await _cluster.Bridge().ApplyAsync(change, token);

        Assert.Equal(ChangeOutcome.AlreadyApplied, replay.Outcome);
        Assert.Equal(first.After, replay.After);
        Assert.Equal(version, _cluster.ResourceVersion());
        Assert.Single(await _bridge.ListChangesAsync(Checkout));
    }

    [Fact]
    public async Task Undo_restores_the_exact_prior_weights_and_is_itself_idempotent()
    {
        var first = Shift("chg-1", 90, 75);
        await _bridge.ApplyAsync(first, _cluster.Sign(first));
        var second = Shift("chg-2", 75, 0);
        await _bridge.ApplyAsync(second, _cluster.Sign(second));

        var undo = new UndoRequest("chg-2", "undo-2", "inc-1", "checkout-v1 regressed too", Checkout);
        var result = await _bridge.UndoAsync(undo, _cluster.SignUndo(undo));

        Assert.Equal(ChangeOutcome.Undone, result.Outcome);
        Assert.Equal(W(75), result.After);
        Assert.Equal(W(75), _cluster.Weights());
        var version = _cluster.ResourceVersion();
        Assert.Equal(ChangeOutcome.AlreadyApplied, (await _bridge.UndoAsync(undo, _cluster.SignUndo(undo))).Outcome);
        Assert.Equal(version, _cluster.ResourceVersion());

        var records = await _bridge.ListChangesAsync(Checkout);
        Assert.Equal(["chg-1", "chg-2", "undo-2"], records.Select(r => r.Change.ChangeId));
        Assert.Equal("undo-2", records[1].UndoneByChangeId);
        Assert.Equal(W(75), records[1].PreviousWeights);
    }

    [Fact]
    public async Task Undo_is_refused_with_412_when_a_later_change_moved_the_route()
    {
        var first = Shift("chg-1", 90, 75);
        await _bridge.ApplyAsync(first, _cluster.Sign(first));
        var second = Shift("chg-2", 75, 50);
        await _bridge.ApplyAsync(second, _cluster.Sign(second));

        var undo = new UndoRequest("chg-1", "undo-1", "inc-1", "restore", Checkout);
        var e = await Assert.ThrowsAsync<GatewayBridgeException>(() => _bridge.UndoAsync(undo, _cluster.SignUndo(undo)));

        Assert.Equal(412, e.StatusCode);
        Assert.Equal(W(50), _cluster.Weights());
    }

    [Fact]
    public async Task A_change_whose_precondition_no_longer_holds_is_refused_with_412_and_not_applied()
    {
        var stale = Shift("chg-1", 80, 100);
        var version = _cluster.ResourceVersion();
        var e = await Assert.ThrowsAsync<GatewayBridgeException>(() => _bridge.ApplyAsync(stale, _cluster.Sign(stale)));

        Assert.Equal(412, e.StatusCode);
        Assert.Contains("checkout-v1=90", e.Detail);
        Assert.Equal(version, _cluster.ResourceVersion());
    }

    [Fact]
    public async Task Of_two_concurrent_changes_approved_against_the_same_weights_one_wins_and_the_other_gets_412()
    {
        // Hold both writes until both bridges have read the route, so they really race on the same resourceVersion.
        var bothRead = new Barrier(2);
        _cluster.Server.State.BeforeWrite = _ => Task.Run(() => bothRead.SignalAndWait(TimeSpan.FromSeconds(20)));
        var toFull = Shift("chg-a", 90, 100);
        var toHalf = Shift("chg-b", 90, 50);

        var outcomes = await Task.WhenAll(
            Outcome(_cluster.Bridge().ApplyAsync(toFull, _cluster.Sign(toFull))),
            Outcome(_cluster.Bridge().ApplyAsync(toHalf, _cluster.Sign(toHalf))));
        _cluster.Server.State.BeforeWrite = null;

        Assert.Single(outcomes, o => o == "Applied");
        Assert.Single(outcomes, o => o == "412");
        var winner = outcomes[0] == "Applied" ? toFull : toHalf;
        Assert.Equal(winner.NewWeights, _cluster.Weights());
        Assert.Equal([winner.ChangeId], (await _bridge.ListChangesAsync(Checkout)).Select(r => r.Change.ChangeId));
    }

    [Fact]
    public async Task After_a_409_from_an_unrelated_write_the_change_is_re_validated_and_applied()
    {
        var rivalWrote = false;
        _cluster.Server.State.BeforeWrite = request =>
        {
            if (rivalWrote || request.Verb != "patch") return Task.CompletedTask;
            rivalWrote = true;
            // Someone else touches the route between our read and our write, without changing the weights.
            _cluster.Server.Store.Patch(KubeResourceType.HttpRoute, "shop", "checkout", KubeObjectStore.MergePatchContentType,
                """{"metadata":{"labels":{"team":"payments"}}}""");
            return Task.CompletedTask;
        };
        var change = Shift("chg-1", 90, 100);

        var result = await _bridge.ApplyAsync(change, _cluster.Sign(change));

        Assert.True(rivalWrote);
        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
        Assert.Equal(W(100), _cluster.Weights());
    }

    [Fact]
    public async Task Gives_up_with_409_when_the_route_keeps_changing()
    {
        var counter = 0;
        _cluster.Server.State.BeforeWrite = _ =>
        {
            _cluster.Server.Store.Patch(KubeResourceType.HttpRoute, "shop", "checkout", KubeObjectStore.MergePatchContentType,
                new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["churn"] = $"{++counter}" } } }.ToJsonString());
            return Task.CompletedTask;
        };
        var change = Shift("chg-1", 90, 100);

        var e = await Assert.ThrowsAsync<GatewayBridgeException>(() => _bridge.ApplyAsync(change, _cluster.Sign(change)));

        Assert.Equal(409, e.StatusCode);
        Assert.Equal(_cluster.Options().MaxConflictRetries + 1, counter);
        Assert.Equal(W(90), _cluster.Weights());
    }

    [Fact]
    public async Task Dry_run_validates_against_the_cluster_but_changes_nothing()
    {
        var version = _cluster.ResourceVersion();
        var change = Shift("chg-dry", 90, 0, dryRun: true);

        var result = await _bridge.ApplyAsync(change, _cluster.Sign(change));

        Assert.Equal(ChangeOutcome.DryRun, result.Outcome);
        Assert.Equal(W(0), result.After);
        Assert.Equal(W(90), _cluster.Weights());
        Assert.Equal(version, _cluster.ResourceVersion());
        Assert.Empty(await _bridge.ListChangesAsync(Checkout));
    }

    [Fact]
    public async Task Changes_without_a_valid_approval_are_refused_and_nothing_changes()
    {
        var change = Shift("chg-1", 90, 0);
        var version = _cluster.ResourceVersion();
        var forgedKey = "someone-elses-key-of-sufficient-length!!"u8.ToArray();

        var missing = await Assert.ThrowsAsync<GatewayBridgeException>(() => _bridge.ApplyAsync(change, ""));
        var forged = await Assert.ThrowsAsync<GatewayBridgeException>(() =>
            _bridge.ApplyAsync(change, ApprovalToken.Sign(change, _cluster.Time.GetUtcNow().AddMinutes(5), forgedKey)));
        var expired = await Assert.ThrowsAsync<GatewayBridgeException>(() =>
            _bridge.ApplyAsync(change, ApprovalToken.Sign(change, _cluster.Time.GetUtcNow().AddSeconds(-30), Key)));
        var mismatched = await Assert.ThrowsAsync<GatewayBridgeException>(() =>
            _bridge.ApplyAsync(change, _cluster.Sign(Shift("chg-1", 90, 50))));

        Assert.Equal(401, missing.StatusCode);
        Assert.Equal([403, 403, 403], new[] { forged, expired, mismatched }.Select(e => e.StatusCode));
        Assert.Contains("signature", forged.Detail);
        Assert.Contains("expired", expired.Detail);
        Assert.Contains("different change", mismatched.Detail);
        Assert.Equal(version, _cluster.ResourceVersion());
        Assert.Equal(W(90), _cluster.Weights());
    }

    [Fact]
    public async Task An_unknown_route_is_404()
    {
        var change = Shift("chg-1", 90, 100) with { Route = new RouteRef("shop", "missing") };
        var e = await Assert.ThrowsAsync<GatewayBridgeException>(() => _bridge.ApplyAsync(change, _cluster.Sign(change)));
        Assert.Equal(404, e.StatusCode);
        Assert.Equal(404, (await Assert.ThrowsAsync<GatewayBridgeException>(() => _bridge.GetRouteAsync(new RouteRef("shop", "missing")))).StatusCode);
    }

    [Fact]
    public async Task Invalid_weights_and_unknown_backends_are_422_and_bad_fields_are_400()
    {
        var tooHeavy = Shift("chg-1", 90, 100) with { NewWeights = [new BackendWeight("checkout-v1", 1_000_001)] };
        var unknown = Shift("chg-2", 90, 100) with { NewWeights = [new BackendWeight("checkout-v3", 100)] };
        var allZero = Shift("chg-3", 90, 100) with { NewWeights = [new BackendWeight("checkout-v1", 0), new BackendWeight("checkout-v2", 0)] };
        var noReason = Shift("chg-4", 90, 100) with { Reason = " " };

        Assert.Equal(422, (await Assert.ThrowsAsync<GatewayBridgeException>(() => _bridge.ApplyAsync(tooHeavy, _cluster.Sign(tooHeavy)))).StatusCode);
        Assert.Equal(422, (await Assert.ThrowsAsync<GatewayBridgeException>(() => _bridge.ApplyAsync(unknown, _cluster.Sign(unknown)))).StatusCode);
        Assert.Equal(422, (await Assert.ThrowsAsync<GatewayBridgeException>(() => _bridge.ApplyAsync(allZero, _cluster.Sign(allZero)))).StatusCode);
        var bad = await Assert.ThrowsAsync<GatewayBridgeException>(() => _bridge.ApplyAsync(noReason, _cluster.Sign(noReason)));
        Assert.Equal(400, bad.StatusCode);
        Assert.StartsWith("change.reason", bad.Detail);
        Assert.Equal(W(90), _cluster.Weights());
    }

    [Fact]
    public async Task The_api_servers_own_422_comes_back_as_422()
    {
        // A rule whose backendRef already violates the schema (written around validation) makes the server reject our patch.
        var route = _cluster.Server.Store.Get(KubeResourceType.HttpRoute, "shop", "checkout");
        route["spec"]!["rules"]!.AsArray().Add(new JsonObject { ["backendRefs"] = new JsonArray(new JsonObject { ["name"] = "" }) });
        _cluster.Server.Store.Register(KubeResourceType.HttpRoute with { Validate = null });
        _cluster.Server.Store.Replace(KubeResourceType.HttpRoute with { Validate = null }, "shop", "checkout", route);
        _cluster.Server.Store.Register(KubeResourceType.HttpRoute);
        var change = Shift("chg-1", 90, 100);

        var e = await Assert.ThrowsAsync<GatewayBridgeException>(() => _cluster.Bridge().ApplyAsync(change, _cluster.Sign(change)));

        Assert.Equal(422, e.StatusCode);
        Assert.Contains("spec.rules[1].backendRefs[0].name", e.Detail);
    }

    [Fact]
    public async Task A_service_account_without_patch_rights_surfaces_as_a_clear_502()
    {
        _cluster.Server.Access.Grant("read-only", "system:serviceaccount:autopilot:gateway-bridge",
            new KubeAccessRule(["get", "list"], ["gateway.networking.k8s.io"], ["httproutes"]));
        var change = Shift("chg-1", 90, 100);

        var e = await Assert.ThrowsAsync<GatewayBridgeException>(() => _cluster.Bridge("read-only").ApplyAsync(change, _cluster.Sign(change)));

        Assert.Equal(502, e.StatusCode);
        Assert.Contains("cannot patch resource \"httproutes\"", e.Detail);
        Assert.Contains("RBAC", e.Detail);
        Assert.Equal(W(90), _cluster.Weights());
    }

    [Fact]
    public async Task The_journal_lives_on_the_route_so_a_restarted_bridge_can_list_and_undo()
    {
        var change = Shift("chg-1", 90, 20);
        await _bridge.ApplyAsync(change, _cluster.Sign(change));
        var journal = _cluster.Server.Store.Get(KubeResourceType.HttpRoute, "shop", "checkout")["metadata"]!["annotations"]![RouteJournal.Annotation];
        Assert.NotNull(journal);

        var restarted = _cluster.Bridge();
        var records = await restarted.ListChangesAsync();
        Assert.Equal("chg-1", Assert.Single(records).Change.ChangeId);
        var undo = new UndoRequest("chg-1", "undo-1", "inc-1", "v2 recovered"); // no route: the bridge finds it
        var result = await restarted.UndoAsync(undo, _cluster.SignUndo(undo));

        Assert.Equal(ChangeOutcome.Undone, result.Outcome);
        Assert.Equal(W(90), _cluster.Weights());
    }

    [Fact]
    public async Task With_namespace_scoped_rbac_the_bridge_finds_changes_in_its_configured_namespaces_only()
    {
        _cluster.Server.Access.Grant("shop-only", "system:serviceaccount:autopilot:gateway-bridge",
            new KubeAccessRule(["get", "list", "patch"], ["gateway.networking.k8s.io"], ["httproutes"], Namespaces: ["shop"]));
        var scoped = _cluster.Options("shop-only");
        scoped.Namespaces = ["shop"];
        var change = Shift("chg-1", 90, 40);
        await _cluster.Bridge(options: scoped).ApplyAsync(change, _cluster.Sign(change));
        var undo = new UndoRequest("chg-1", "undo-1", "inc-1", "recovered");

        var clusterWide = await Assert.ThrowsAsync<GatewayBridgeException>(() =>
            _cluster.Bridge("shop-only").UndoAsync(undo, _cluster.SignUndo(undo)));
        var result = await _cluster.Bridge(options: scoped).UndoAsync(undo, _cluster.SignUndo(undo));

        Assert.Equal(502, clusterWide.StatusCode);
        Assert.Contains("at the cluster scope", clusterWide.Detail);
        Assert.Equal(ChangeOutcome.Undone, result.Outcome);
        Assert.Equal(W(90), _cluster.Weights());
    }

    [Fact]
    public async Task A_rate_limit_applies_the_configured_policy_kind_and_undo_removes_it()
    {
        var change = new RouteChange("rl-1", "inc-7", Checkout, 0, ChangeKind.SetRateLimit, [], [], new RateLimitSpec(50, 100), "traffic surge", false);
        var result = await _bridge.ApplyAsync(change, _cluster.Sign(change));

        Assert.Equal(ChangeOutcome.Applied, result.Outcome);
        var policy = _cluster.Server.Store.Get(TrafficPolicy, "shop", "autopilot-ratelimit-checkout");
        Assert.Equal("checkout", policy["spec"]!["targetRefs"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(100, policy["spec"]!["rateLimit"]!["local"]!["tokenBucket"]!["maxTokens"]!.GetValue<int>());
        Assert.Equal(50, policy["spec"]!["rateLimit"]!["local"]!["tokenBucket"]!["tokensPerFill"]!.GetValue<int>());
        Assert.Equal(W(90), _cluster.Weights());

        var undo = new UndoRequest("rl-1", "undo-rl-1", "inc-7", "surge over", Checkout);
        await _bridge.UndoAsync(undo, _cluster.SignUndo(undo));
        Assert.Null(_cluster.Server.Store.TryGet(TrafficPolicy, "shop", "autopilot-ratelimit-checkout"));
    }

    [Fact]
    public async Task Undoing_a_rate_limit_restores_the_policy_that_was_there_before_even_after_a_conflict_retry()
    {
        var first = new RouteChange("rl-1", "inc-7", Checkout, 0, ChangeKind.SetRateLimit, [], [], new RateLimitSpec(50, 100), "surge", false);
        await _bridge.ApplyAsync(first, _cluster.Sign(first));
        var rivalWrote = false;
        _cluster.Server.State.BeforeWrite = request =>
        {
            if (rivalWrote || request.Type.Plural != "httproutes") return Task.CompletedTask;
            rivalWrote = true;
            _cluster.Server.Store.Patch(KubeResourceType.HttpRoute, "shop", "checkout", KubeObjectStore.MergePatchContentType,
                """{"metadata":{"labels":{"team":"payments"}}}""");
            return Task.CompletedTask;
        };
        var second = new RouteChange("rl-2", "inc-8", Checkout, 0, ChangeKind.SetRateLimit, [], [], new RateLimitSpec(10, 20), "bigger surge", false);
        await _bridge.ApplyAsync(second, _cluster.Sign(second));
        Assert.True(rivalWrote);

        var undo = new UndoRequest("rl-2", "undo-rl-2", "inc-8", "surge over", Checkout);
        await _bridge.UndoAsync(undo, _cluster.SignUndo(undo));

        var policy = _cluster.Server.Store.Get(TrafficPolicy, "shop", "autopilot-ratelimit-checkout");
        Assert.Equal(50, policy["spec"]!["rateLimit"]!["local"]!["tokenBucket"]!["tokensPerFill"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_hand_edited_unreadable_journal_stops_changes_instead_of_guessing()
    {
        _cluster.Server.Store.Patch(KubeResourceType.HttpRoute, "shop", "checkout", KubeObjectStore.MergePatchContentType,
            new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [RouteJournal.Annotation] = "[{oops" } } }.ToJsonString());
        var version = _cluster.ResourceVersion();
        var change = Shift("chg-1", 90, 100);

        var e = await Assert.ThrowsAsync<GatewayBridgeException>(() => _bridge.ApplyAsync(change, _cluster.Sign(change)));

        Assert.Equal(500, e.StatusCode);
        Assert.Contains(RouteJournal.Annotation, e.Detail);
        Assert.Equal(version, _cluster.ResourceVersion());
    }

    [Fact]
    public async Task Lists_the_routes_in_front_of_a_workload()
    {
        var routes = await _bridge.ListRoutesForWorkloadAsync(new Remediation.Alerts.WorkloadKey("shop", "checkout"));
        Assert.Equal(Checkout, Assert.Single(routes).Route);
        Assert.Empty(await _bridge.ListRoutesForWorkloadAsync(new Remediation.Alerts.WorkloadKey("shop", "cart")));
    }

    private static async Task<string> Outcome(Task<ChangeResult> apply)
    {
        try
        {
            return (await apply).Outcome.ToString();
        }
        catch (GatewayBridgeException e)
        {
            return e.StatusCode.ToString();
        }
    }
}
