using System.Text.RegularExpressions;
using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests;

/// <summary>The names the deployment files use are the names the apps' code uses.</summary>
public class CodeConsistencyTests
{
    private const string ActorsApp = "actors/Autopilot.Actors";
    /// <summary>The HTTP surface the actors app and the stand-alone host both map (webhook, incidents, approvals).</summary>
    private const string HttpSurface = "actors/Autopilot.Api";
    private const string BridgeApp = "gateway-bridge/Autopilot.GatewayBridge";
    private const string PoolApp = "inference-pool/Autopilot.InferencePool";

    [Theory]
    [InlineData("PubSubName", SharedNames.PubSub)]
    [InlineData("Topic", SharedNames.AlertsTopic)]
    [InlineData("DeadLetterTopic", SharedNames.DeadLetterTopic)]
    public void The_actors_app_publishes_and_subscribes_with_the_shared_names(string setting, string expected)
    {
        Assert.Equal(expected, SourceCode.PropertyDefault(HttpSurface, setting));
    }

    [Fact]
    public void The_actors_subscription_handler_is_the_declarative_subscriptions_route()
    {
        // endpoints.MapPost("/alerts", …).WithTopic(…): the programmatic subscription Dapr prefers over the file.
        var handler = Regex.Match(SourceCode.Text(ActorsApp), @"MapPost\(\s*""(?<path>/[^""]*)""[^;]*?\.WithTopic\(", RegexOptions.Singleline);
        Assert.True(handler.Success, $"No MapPost(...).WithTopic(...) subscription handler in {ActorsApp}");
        Assert.Equal(SharedNames.AlertsRoute, handler.Groups["path"].Value);
        var subscription = Manifests.ClusterOfKind("Subscription").Single();
        Assert.Equal(handler.Groups["path"].Value, subscription.Str("spec", "routes", "default"));
    }

    [Fact]
    public void The_actors_app_serves_the_alertmanager_webhook_alertmanager_posts_to()
    {
        Assert.Contains($"POST {SharedNames.AlertmanagerWebhookPath}", SourceCode.Endpoints(HttpSurface));
    }

    [Fact]
    public void The_actors_app_registers_exactly_the_actor_types_resiliency_targets()
    {
        Assert.Equal(SharedNames.ActorTypes.Order(), SourceCode.RegisteredActorTypes(ActorsApp).Order());
    }

    public static TheoryData<string> BridgeEndpoints => new(SourceCode.Endpoints(BridgeApp));
    public static TheoryData<string> PoolEndpoints => new(SourceCode.Endpoints(PoolApp));

    [Theory]
    [MemberData(nameof(BridgeEndpoints))]
    public void The_guardrail_may_call_every_endpoint_gateway_bridge_serves(string endpoint)
    {
        var (verb, path) = (endpoint.Split(' ')[0], SourceCode.SamplePath(endpoint.Split(' ')[1]));
        var config = Manifests.ClusterConfigurationFor(SharedNames.GatewayBridgeAppId);
        Assert.True(DaprAccessControl.Allows(config, SharedNames.ActorsAppId, verb, path),
            $"gateway-bridge serves {endpoint}, but its access control denies the guardrail; update dapr/configuration/kubernetes/gateway-bridge.yaml");
        Assert.False(DaprAccessControl.Allows(config, SharedNames.InferencePoolAppId, verb, path));
    }

    [Theory]
    [MemberData(nameof(PoolEndpoints))]
    public void The_incident_actors_may_call_every_endpoint_inference_pool_serves(string endpoint)
    {
        var (verb, path) = (endpoint.Split(' ')[0], SourceCode.SamplePath(endpoint.Split(' ')[1]));
        Assert.True(DaprAccessControl.Allows(Manifests.ClusterConfigurationFor(SharedNames.InferencePoolAppId), SharedNames.ActorsAppId, verb, path),
            $"inference-pool serves {endpoint}, but its access control denies the incident actors; update dapr/configuration/kubernetes/inference-pool.yaml");
    }

    [Fact]
    public void Gateway_bridge_reads_the_signing_key_from_the_shared_secret_store()
    {
        Assert.Equal(SharedNames.SecretStore, SourceCode.Constant(BridgeApp, "StoreName"));
        Assert.Equal(SharedNames.ApprovalSigningKey, SourceCode.Constant(BridgeApp, "SecretName"));
    }

    [Fact]
    public void The_source_scanner_finds_what_it_looks_for()
    {
        Assert.Equal("/a/sample/b/sample", SourceCode.SamplePath("/a/{x}/b/{y:int}"));
        Assert.NotEmpty(SourceCode.Endpoints(BridgeApp));
        Assert.NotEmpty(SourceCode.Endpoints(PoolApp));
    }
}
