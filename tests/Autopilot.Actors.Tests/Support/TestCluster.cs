using Autopilot.GatewayBridge.Core.Changes;
using Autopilot.GatewayBridge.Core.Configuration;
using Autopilot.GatewayBridge.Core.Kubernetes;
using Autopilot.GatewayBridge.Core.Routes;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.KubeApi;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Actors.Tests.Support;

/// <summary>The simulator's Kubernetes-compatible API server on loopback with the sample route shop/checkout
/// (checkout-v1 stable 90, checkout-v2 canary 10), and the real gateway-bridge talking to it.</summary>
public sealed class TestCluster : IAsyncDisposable
{
    public const string BridgeToken = "bridge-token";
    public const string SigningKey = "an-approval-key-for-actor-tests-only-32+bytes";
    public static readonly RouteRef Checkout = new("shop", "checkout");

    private TestCluster(KubeApiServer server, TimeProvider time)
    {
        Server = server;
        var options = new GatewayBridgeOptions
        {
            Kubernetes = new KubernetesConnectionOptions { Mode = KubernetesConnectionMode.Explicit, Url = server.Url.ToString(), Token = BridgeToken },
            ApprovalSigningKey = SigningKey,
        };
        var store = new KubernetesRouteStore(KubernetesClientFactory.Create(options.Kubernetes), options.RateLimitPolicy);
        Bridge = new GatewayBridgeService(store, options, ApprovalKey.FromSecret(SigningKey), time, NullLogger<GatewayBridgeService>.Instance);
    }

    public KubeApiServer Server { get; }

    public GatewayBridgeService Bridge { get; }

    public static async Task<TestCluster> StartAsync(TimeProvider time, params RouteRef[] extraRoutes)
    {
        var server = await KubeApiServer.StartAsync();
        server.Access.Grant(BridgeToken, "system:serviceaccount:autopilot:gateway-bridge",
            new KubeAccessRule(["get", "list", "watch", "patch"], ["gateway.networking.k8s.io"], ["httproutes"]));
        server.Store.Create(KubeResourceType.HttpRoute, "shop", HttpRouteManifest.SampleCheckout());
        foreach (var route in extraRoutes)
            server.Store.Create(KubeResourceType.HttpRoute, route.Namespace, HttpRouteManifest.Create(route,
                [new BackendWeight("checkout-v1", 90), new BackendWeight("checkout-v2", 10)], stableBackend: "checkout-v1"));
        return new TestCluster(server, time);
    }

    public IReadOnlyList<BackendWeight> Weights(RouteRef? route = null)
    {
        var r = route ?? Checkout;
        return HttpRouteDocument.ToState(Server.Store.Get(KubeResourceType.HttpRoute, r.Namespace, r.Name)).Weights();
    }

    public int Weight(string backend, RouteRef? route = null) => Weights(route).Single(w => w.Name == backend).Weight;

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
