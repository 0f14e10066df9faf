using Microsoft.Extensions.Time.Testing;
using Autopilot.GatewayBridge.Core.Changes;
using Autopilot.GatewayBridge.Core.Configuration;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.KubeApi;

namespace Autopilot.GatewayBridge.Tests;

/// <summary>A fake API server on loopback with the sample route, and bridges talking to it through the real KubernetesClient.</summary>
public sealed class TestCluster : IAsyncDisposable
{
    public const string BridgeToken = "bridge-token";
    public const string AdminToken = "admin-token";
    public static readonly RouteRef Checkout = new("shop", "checkout");
    public static readonly byte[] Key = "an-approval-key-for-tests-only-32+bytes"u8.ToArray();
    public static readonly KubeResourceType TrafficPolicy =
        KubeResourceType.Generic("gateway.kgateway.dev", "v1alpha1", "trafficpolicies", "TrafficPolicy");

    private TestCluster(KubeApiServer server) => Server = server;

    public KubeApiServer Server { get; }
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.Parse("2026-11-25T01:00:00Z"));

    public static async Task<TestCluster> StartAsync()
    {
        var server = await KubeApiServer.StartAsync();
        server.Store.Register(TrafficPolicy);
        server.Access.Grant(BridgeToken, "system:serviceaccount:autopilot:gateway-bridge",
            new KubeAccessRule(["get", "list", "watch", "patch"], ["gateway.networking.k8s.io"], ["httproutes"]),
            new KubeAccessRule(["get", "create", "patch", "delete"], ["gateway.kgateway.dev"], ["trafficpolicies"]));
        server.Access.Grant(AdminToken, "kubernetes-admin", KubeAccessRule.Everything);
        server.Store.Create(KubeResourceType.HttpRoute, "shop", HttpRouteManifest.SampleCheckout());
        return new TestCluster(server);
    }

    public GatewayBridgeOptions Options(string token = BridgeToken) => new()
    {
        Kubernetes = new KubernetesConnectionOptions { Mode = KubernetesConnectionMode.Explicit, Url = Server.Url.ToString(), Token = token },
        ApprovalSigningKey = "base64:" + Convert.ToBase64String(Key),
    };

    /// <summary>A fresh bridge instance (as after a restart: nothing in memory).</summary>
    public GatewayBridgeService Bridge(string token = BridgeToken, GatewayBridgeOptions? options = null)
    {
        return GatewayBridgeService.Create(options ?? Options(token), Time);
    }

    public IReadOnlyList<BackendWeight> Weights(RouteRef? route = null)
    {
        var obj = Server.Store.Get(KubeResourceType.HttpRoute, (route ?? Checkout).Namespace, (route ?? Checkout).Name);
        return Core.Routes.HttpRouteDocument.ToState(obj).Weights();
    }

    public string ResourceVersion() =>
        Server.Store.Get(KubeResourceType.HttpRoute, "shop", "checkout")["metadata"]!["resourceVersion"]!.GetValue<string>();

    public string Sign(RouteChange change) => ApprovalToken.Sign(change, Time.GetUtcNow().AddMinutes(5), Key);

    public string SignUndo(UndoRequest undo) => ApprovalToken.SignUndo(undo, Time.GetUtcNow().AddMinutes(5), Key);

    public static RouteChange Shift(string changeId, int expectedStable, int newStable, bool dryRun = false) => new(
        changeId, "inc-1", Checkout, 0, ChangeKind.SetWeights,
        [new BackendWeight("checkout-v1", expectedStable), new BackendWeight("checkout-v2", 100 - expectedStable)],
        [new BackendWeight("checkout-v1", newStable), new BackendWeight("checkout-v2", 100 - newStable)],
        null, "checkout-v2 5xx ratio 0.31", dryRun);

    public static IReadOnlyList<BackendWeight> W(int stable) =>
        [new BackendWeight("checkout-v1", stable), new BackendWeight("checkout-v2", 100 - stable)];

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

