using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Autopilot.Simulator.KubeApi;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Autopilot.GatewayBridge.Tests;

/// <summary>The fake API server answers the real KubernetesClient the way a real API server does.</summary>
public sealed class KubeApiServerTests : IAsyncLifetime
{
    private const string Group = "gateway.networking.k8s.io";
    private TestCluster _cluster = null!;
    private IKubernetes _kube = null!;

    public async Task InitializeAsync()
    {
        _cluster = await TestCluster.StartAsync();
        _kube = Client(TestCluster.AdminToken);
    }

    public async Task DisposeAsync()
    {
        _kube.Dispose();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Merge_patch_bumps_the_resource_version_and_a_stale_one_is_409_Conflict()
    {
        var route = await Get();
        var version = route["metadata"]!["resourceVersion"]!.GetValue<string>();
        var patched = await Patch(MergeWeights(version, 80, 20));
        Assert.NotEqual(version, patched["metadata"]!["resourceVersion"]!.GetValue<string>());

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => Patch(MergeWeights(version, 70, 30)));
        var status = AssertStatus(e, HttpStatusCode.Conflict, "Conflict");
        Assert.Contains("the object has been modified", status["message"]!.GetValue<string>());
        Assert.Equal(80, Weight(await Get(), 0));
    }

    [Fact]
    public async Task A_write_that_changes_nothing_keeps_the_resource_version()
    {
        var version = (await Get())["metadata"]!["resourceVersion"]!.GetValue<string>();
        var patched = await Patch(MergeWeights(version, 90, 10));
        Assert.Equal(version, patched["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Weights_outside_the_gateway_api_range_are_422_Invalid_naming_the_field()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => Patch(MergeWeights(null, 2_000_000, 10)));
        var status = AssertStatus(e, HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.Equal("spec.rules[0].backendRefs[0].weight", status["details"]!["causes"]![0]!["field"]!.GetValue<string>());
        Assert.Equal(90, Weight(await Get(), 0));
    }

    [Fact]
    public async Task Dry_run_answers_the_result_without_persisting_it()
    {
        var before = await Get();
        var answer = await Patch(MergeWeights(null, 0, 100), dryRun: true);
        Assert.Equal(0, Weight(answer, 0));
        var after = await Get();
        Assert.Equal(90, Weight(after, 0));
        Assert.Equal(before["metadata"]!["resourceVersion"]!.GetValue<string>(), after["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Json_patch_applies_operations_and_a_failed_test_changes_nothing()
    {
        var ops = new JsonArray(
            new JsonObject { ["op"] = "test", ["path"] = "/spec/rules/0/backendRefs/0/weight", ["value"] = 90 },
            new JsonObject { ["op"] = "replace", ["path"] = "/spec/rules/0/backendRefs/0/weight", ["value"] = 50 },
            new JsonObject { ["op"] = "replace", ["path"] = "/spec/rules/0/backendRefs/1/weight", ["value"] = 50 });
        var patched = await Patch(ops, V1Patch.PatchType.JsonPatch);
        Assert.Equal(50, Weight(patched, 1));

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => Patch(ops, V1Patch.PatchType.JsonPatch));
        AssertStatus(e, HttpStatusCode.UnprocessableEntity, "Invalid");
        Assert.Equal(50, Weight(await Get(), 0));
    }

    [Fact]
    public async Task Server_side_apply_creates_then_updates_a_custom_object_and_requires_a_field_manager()
    {
        var policy = new JsonObject
        {
            ["apiVersion"] = "gateway.kgateway.dev/v1alpha1",
            ["kind"] = "TrafficPolicy",
            ["metadata"] = new JsonObject { ["name"] = "limit", ["namespace"] = "shop" },
            ["spec"] = new JsonObject { ["rateLimit"] = new JsonObject { ["rps"] = 5 } },
        };
        await _kube.CustomObjects.PatchNamespacedCustomObjectAsync<JsonElement>(new V1Patch(policy, V1Patch.PatchType.ApplyPatch),
            "gateway.kgateway.dev", "v1alpha1", "shop", "trafficpolicies", "limit", fieldManager: "autopilot", force: true);
        policy["spec"]!["rateLimit"]!["rps"] = 7;
        var updated = await _kube.CustomObjects.PatchNamespacedCustomObjectAsync<JsonElement>(new V1Patch(policy, V1Patch.PatchType.ApplyPatch),
            "gateway.kgateway.dev", "v1alpha1", "shop", "trafficpolicies", "limit", fieldManager: "autopilot", force: true);
        Assert.Equal(7, updated.GetProperty("spec").GetProperty("rateLimit").GetProperty("rps").GetInt32());
        Assert.Equal("autopilot", updated.GetProperty("metadata").GetProperty("managedFields")[0].GetProperty("manager").GetString());

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => _kube.CustomObjects.PatchNamespacedCustomObjectAsync<JsonElement>(
            new V1Patch(policy, V1Patch.PatchType.ApplyPatch), "gateway.kgateway.dev", "v1alpha1", "shop", "trafficpolicies", "limit"));
        AssertStatus(e, HttpStatusCode.UnprocessableEntity, "Invalid");
    }

    [Fact]
    public async Task Put_with_a_stale_resource_version_is_409_and_a_current_one_replaces()
    {
        var route = await Get();
        route["spec"]!["rules"]![0]!["backendRefs"]![0]!["weight"] = 60;
        var replaced = await _kube.CustomObjects.ReplaceNamespacedCustomObjectAsync<JsonElement>(route, Group, "v1", "shop", "httproutes", "checkout");
        Assert.Equal(60, replaced.GetProperty("spec").GetProperty("rules")[0].GetProperty("backendRefs")[0].GetProperty("weight").GetInt32());
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _kube.CustomObjects.ReplaceNamespacedCustomObjectAsync<JsonElement>(route, Group, "v1", "shop", "httproutes", "checkout"));
        AssertStatus(e, HttpStatusCode.Conflict, "Conflict");
    }

    [Fact]
    public async Task A_missing_route_is_404_NotFound()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _kube.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(Group, "v1", "shop", "httproutes", "nope"));
        var status = AssertStatus(e, HttpStatusCode.NotFound, "NotFound");
        Assert.Equal("httproutes.gateway.networking.k8s.io \"nope\" not found", status["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_tokens_are_401_and_tokens_without_the_verb_are_403_Forbidden()
    {
        using var stranger = Client("who-knows");
        var unauthorized = await Assert.ThrowsAsync<HttpOperationException>(() =>
            stranger.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(Group, "v1", "shop", "httproutes", "checkout"));
        AssertStatus(unauthorized, HttpStatusCode.Unauthorized, "Unauthorized");

        _cluster.Server.Access.Grant("viewer", "system:serviceaccount:shop:viewer",
            new KubeAccessRule(["get", "list"], [Group], ["httproutes"]));
        using var viewer = Client("viewer");
        await viewer.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(Group, "v1", "shop", "httproutes", "checkout");
        var forbidden = await Assert.ThrowsAsync<HttpOperationException>(() => viewer.CustomObjects.PatchNamespacedCustomObjectAsync<JsonElement>(
            new V1Patch(MergeWeights(null, 0, 100), V1Patch.PatchType.MergePatch), Group, "v1", "shop", "httproutes", "checkout"));
        var status = AssertStatus(forbidden, HttpStatusCode.Forbidden, "Forbidden");
        Assert.Contains("cannot patch resource \"httproutes\"", status["message"]!.GetValue<string>());
        Assert.Equal(90, Weight(await Get(), 0));
    }

    [Fact]
    public async Task Lists_routes_per_namespace_across_namespaces_and_by_label()
    {
        _cluster.Server.Store.Create(KubeResourceType.HttpRoute, "cart",
            HttpRouteManifest.Create(new("cart", "cart"), TestCluster.W(100), "checkout-v1"));
        var shop = await _kube.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(Group, "v1", "shop", "httproutes");
        Assert.Equal(1, shop.GetProperty("items").GetArrayLength());
        var all = await _kube.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(Group, "v1", "httproutes");
        Assert.Equal(2, all.GetProperty("items").GetArrayLength());
        var labelled = await _kube.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(Group, "v1", "httproutes", labelSelector: "autopilot.io/workload=checkout");
        Assert.Equal("checkout", labelled.GetProperty("items")[0].GetProperty("metadata").GetProperty("name").GetString());
    }

    private IKubernetes Client(string token) =>
        new Kubernetes(new KubernetesClientConfiguration { Host = _cluster.Server.Url.ToString(), AccessToken = token });

    private async Task<JsonObject> Get() =>
        (JsonObject)JsonNode.Parse((await _kube.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(Group, "v1", "shop", "httproutes", "checkout")).GetRawText())!;

    private async Task<JsonObject> Patch(JsonNode patch, V1Patch.PatchType type = V1Patch.PatchType.MergePatch, bool dryRun = false) =>
        (JsonObject)JsonNode.Parse((await _kube.CustomObjects.PatchNamespacedCustomObjectAsync<JsonElement>(
            new V1Patch(patch, type), Group, "v1", "shop", "httproutes", "checkout", dryRun: dryRun ? "All" : null)).GetRawText())!;

    private static JsonObject MergeWeights(string? resourceVersion, int v1, int v2)
    {
        var rules = HttpRouteManifest.SampleCheckout()["spec"]!["rules"]!.DeepClone();
        rules[0]!["backendRefs"]![0]!["weight"] = v1;
        rules[0]!["backendRefs"]![1]!["weight"] = v2;
        var patch = new JsonObject { ["spec"] = new JsonObject { ["rules"] = rules } };
        if (resourceVersion is not null) patch["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion };
        return patch;
    }

    private static int Weight(JsonObject route, int backend) =>
        route["spec"]!["rules"]![0]!["backendRefs"]![backend]!["weight"]!.GetValue<int>();

    private static JsonObject AssertStatus(HttpOperationException e, HttpStatusCode code, string reason)
    {
        Assert.Equal(code, e.Response.StatusCode);
        var status = (JsonObject)JsonNode.Parse(e.Response.Content)!;
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal("Failure", status["status"]!.GetValue<string>());
        Assert.Equal(reason, status["reason"]!.GetValue<string>());
        Assert.Equal((int)code, status["code"]!.GetValue<int>());
        return status;
    }
}
