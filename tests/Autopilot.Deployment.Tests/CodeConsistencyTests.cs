extern alias actors;
extern alias bridge;
extern alias pool;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Autopilot.Deployment.Tests.Support;
using Microsoft.Extensions.Options;

namespace Autopilot.Deployment.Tests;

/// <summary>The names the deployment files use are the names the running apps use (asked through
/// <see cref="RunningApps"/>, not by reading their source).</summary>
public class CodeConsistencyTests
{
    [Fact]
    public void The_actors_app_publishes_and_subscribes_with_the_shared_names()
    {
        var options = new Autopilot.Api.Alerts.AlertsOptions();

        Assert.Equal(SharedNames.PubSub, options.PubSubName);
        Assert.Equal(SharedNames.AlertsTopic, options.Topic);
        Assert.Equal(SharedNames.DeadLetterTopic, options.DeadLetterTopic);
    }

    [Fact]
    public void The_actors_subscription_handler_is_the_declarative_subscriptions_route()
    {
        // endpoints.MapPost("/alerts", …).WithTopic(…): the programmatic subscription Dapr prefers over the file.
        var handler = Assert.Single(RunningApps.ActorsEndpoints, e => e.Topic == SharedNames.AlertsTopic);

        Assert.Equal(("POST", SharedNames.AlertsRoute), (handler.Verb, handler.Route));
        Assert.Equal((SharedNames.PubSub, SharedNames.AlertsTopic, SharedNames.DeadLetterTopic), (handler.PubSub, handler.Topic, handler.DeadLetterTopic));
        var subscription = Manifests.ClusterOfKind("Subscription").Single();
        Assert.Equal(handler.Route, subscription.Str("spec", "routes", "default"));
    }

    [Fact]
    public void The_actors_app_subscribes_to_the_dead_letter_topic_it_names()
    {
        // Dead letters are stored for GET /dead-letters; the programmatic subscription needs no manifest.
        var handler = Assert.Single(RunningApps.ActorsEndpoints, e => e.Topic == SharedNames.DeadLetterTopic);

        Assert.Equal(("POST", SharedNames.PubSub), (handler.Verb, handler.PubSub));
        Assert.Contains("GET /dead-letters", RunningApps.ActorsEndpoints.Select(e => e.ToString()));
    }

    [Fact]
    public void The_actors_app_serves_the_alertmanager_webhook_alertmanager_posts_to()
    {
        Assert.Contains($"POST {SharedNames.AlertmanagerWebhookPath}", RunningApps.ActorsEndpoints.Select(e => e.ToString()));
    }

    [Fact]
    public void Every_app_validates_its_options_one_way()
    {
        // DataAnnotations, with IValidatableObject for what attributes cannot say; no IValidateOptions classes beside it.
        var product = ProductAssemblies(typeof(actors::Program).Assembly, typeof(bridge::Program).Assembly, typeof(pool::Program).Assembly);
        var types = product.SelectMany(a => a.GetTypes()).ToList();

        var validators = types.Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidateOptions<>)))
            .Select(t => t.FullName).ToList();
        Assert.True(validators.Count == 0, "options validators beside DataAnnotations: " + string.Join(", ", validators));
        var options = types.Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal) && t.GetField("Section") is not null).ToList();
        Assert.Contains(options, t => t.Name == "PoolOptions");
        Assert.Contains(options, t => t.Name == "GatewayBridgeOptions");
        Assert.All(options, t => Assert.True(typeof(IValidatableObject).IsAssignableFrom(t)
            || t.GetProperties().Any(p => p.GetCustomAttributes<ValidationAttribute>().Any()), $"{t.FullName} validates nothing"));
    }

    private static List<Assembly> ProductAssemblies(params Assembly[] apps)
    {
        var found = new Dictionary<string, Assembly>();
        var pending = new Queue<Assembly>(apps);
        while (pending.TryDequeue(out var assembly))
        {
            if (!found.TryAdd(assembly.GetName().Name!, assembly)) continue;
            foreach (var name in assembly.GetReferencedAssemblies().Where(n => n.Name!.StartsWith("Autopilot.", StringComparison.Ordinal)))
                pending.Enqueue(Assembly.Load(name));
        }
        return [.. found.Values];
    }

    [Fact]
    public void The_actors_app_registers_exactly_the_actor_types_resiliency_targets()
    {
        Assert.Equal(SharedNames.ActorTypes.Order(), RunningApps.ActorTypes.Order());
    }

    public static TheoryData<string> BridgeEndpoints => new(RunningApps.BridgeEndpoints.Select(e => e.ToString()));
    public static TheoryData<string> PoolEndpoints => new(RunningApps.PoolEndpoints.Select(e => e.ToString()));

    [Theory]
    [MemberData(nameof(BridgeEndpoints))]
    public void The_guardrail_may_call_every_endpoint_gateway_bridge_serves(string endpoint)
    {
        var (verb, path) = (endpoint.Split(' ')[0], RouteSamples.Of(endpoint.Split(' ')[1]));
        var config = Manifests.ClusterConfigurationFor(SharedNames.GatewayBridgeAppId);
        Assert.True(DaprAccessControl.Allows(config, SharedNames.GuardrailAppId, verb, path),
            $"gateway-bridge serves {endpoint}, but its access control denies the guardrail; update dapr/configuration/kubernetes/gateway-bridge.yaml");
        Assert.False(DaprAccessControl.Allows(config, SharedNames.ActorsAppId, verb, path));
        Assert.False(DaprAccessControl.Allows(config, SharedNames.InferencePoolAppId, verb, path));
    }

    [Theory]
    [MemberData(nameof(PoolEndpoints))]
    public void The_incident_actors_may_call_every_endpoint_inference_pool_serves(string endpoint)
    {
        var (verb, path) = (endpoint.Split(' ')[0], RouteSamples.Of(endpoint.Split(' ')[1]));
        Assert.True(DaprAccessControl.Allows(Manifests.ClusterConfigurationFor(SharedNames.InferencePoolAppId), SharedNames.ActorsAppId, verb, path),
            $"inference-pool serves {endpoint}, but its access control denies the incident actors; update dapr/configuration/kubernetes/inference-pool.yaml");
    }

    [Fact]
    public void Both_apps_read_the_signing_key_from_the_shared_secret_store()
    {
        Assert.Equal(SharedNames.SecretStore, Autopilot.Hosting.DaprSecret.DefaultStore);
        Assert.Equal(SharedNames.ApprovalSigningKey, bridge::Autopilot.GatewayBridge.GatewayBridgeServices.SigningKey.DefaultName);
        Assert.Equal(SharedNames.ApprovalSigningKey, actors::Autopilot.Actors.ActorsHost.SigningKey.DefaultName);
    }

    [Theory]
    [InlineData(SharedNames.ActorsAppId, "Incidents")]
    [InlineData(SharedNames.GuardrailAppId, "Guardrail")]
    public void Each_actor_app_of_the_cluster_runs_the_role_its_app_id_names(string appId, string role)
    {
        Assert.Equal([SharedNames.ActorsAppId, SharedNames.GuardrailAppId],
            new[] { actors::Autopilot.Actors.ActorsHost.AppId, actors::Autopilot.Actors.ActorsHost.GuardrailAppId });
        var container = Manifests.DeploymentFor(appId).MapsAt("spec", "template", "spec", "containers").Single();
        Assert.Equal(role, container.MapsAt("env").Single(e => e.Str("name") == "Autopilot__Actors__Role").Required("value"));
        Assert.EndsWith("/autopilot/actors", container.Required("image").Split(':')[0]); // one image, two roles
    }

    [Fact]
    public void Every_app_is_asked_what_it_serves()
    {
        Assert.Equal("/a/sample/b/sample", RouteSamples.Of("/a/{x}/b/{y:int}"));
        Assert.Contains("POST /changes", RunningApps.BridgeEndpoints.Select(e => e.ToString()));
        Assert.Contains("POST /sessions", RunningApps.PoolEndpoints.Select(e => e.ToString()));
    }
}
