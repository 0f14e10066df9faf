using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests;

/// <summary>Dapr components and the alerts subscription, self-hosted (components/local) and in the cluster.</summary>
public class ComponentTests
{
    public static TheoryData<string> Modes => new() { "local", "kubernetes" };

    private static IReadOnlyList<Map> Components(string mode) => mode == "local"
        ? Manifests.LocalResources.Select(r => r.Document).Where(d => d.Kind == "Component").ToList()
        : Manifests.ClusterOfKind("Component").ToList();

    private static Map Component(string mode, string name) =>
        Components(mode).SingleOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"{mode}: no component '{name}'");

    private static string? Metadata(Map component, string name) =>
        component.MapsAt("spec", "metadata").SingleOrDefault(m => m.Str("name") == name)?.Str("value");

    [Theory]
    [MemberData(nameof(Modes))]
    public void Alerts_pubsub_is_a_pubsub_only_the_actors_app_uses(string mode)
    {
        var pubsub = Component(mode, SharedNames.PubSub);
        Assert.StartsWith("pubsub.", pubsub.Required("spec", "type"));
        Assert.Equal([SharedNames.ActorsAppId], pubsub.StringsAt("scopes"));
        var topics = new[] { SharedNames.AlertsTopic, SharedNames.DeadLetterTopic };
        Assert.Equal(topics, Metadata(pubsub, "allowedTopics")!.Split(','));
        Assert.Equal($"{SharedNames.ActorsAppId}={string.Join(',', topics)}", Metadata(pubsub, "publishingScopes"));
        Assert.Equal($"{SharedNames.ActorsAppId}={string.Join(',', topics)}", Metadata(pubsub, "subscriptionScopes"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Actor_state_store_is_marked_for_actors(string mode)
    {
        var store = Component(mode, SharedNames.ActorStateStore);
        Assert.StartsWith("state.", store.Required("spec", "type"));
        Assert.Equal("true", Metadata(store, "actorStateStore"));
        // In a cluster the guardrail is an app of its own with its own actors (locally it lives in autopilot-actors).
        Assert.Equal(mode == "kubernetes" ? [SharedNames.ActorsAppId, SharedNames.GuardrailAppId] : [SharedNames.ActorsAppId], store.StringsAt("scopes"));
        // Dapr allows exactly one actor state store per app.
        Assert.Single(Components(mode), c => Metadata(c, "actorStateStore") == "true");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Secret_store_is_readable_only_by_the_signer_and_the_verifier(string mode)
    {
        var store = Component(mode, SharedNames.SecretStore);
        Assert.StartsWith("secretstores.", store.Required("spec", "type"));
        var signer = mode == "kubernetes" ? SharedNames.GuardrailAppId : SharedNames.ActorsAppId;
        Assert.Equal(new[] { signer, SharedNames.GatewayBridgeAppId }.Order(), store.StringsAt("scopes").Order());
    }

    [Fact]
    public void Cluster_secrets_come_from_kubernetes_and_none_is_committed()
    {
        Assert.Equal("secretstores.kubernetes", Component("kubernetes", SharedNames.SecretStore).Str("spec", "type"));
        Assert.Empty(Manifests.ClusterOfKind("Secret"));
        foreach (var component in Components("kubernetes"))
            foreach (var item in component.MapsAt("spec", "metadata").Where(m => m.Str("name")!.Contains("assword", StringComparison.Ordinal)))
                Assert.Null(item.Str("value"));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Alerts_subscription_routes_to_the_actors_handler_with_a_dead_letter_topic(string mode)
    {
        var subscriptions = mode == "local"
            ? Manifests.LocalResources.Select(r => r.Document).Where(d => d.Kind == "Subscription").ToList()
            : Manifests.ClusterOfKind("Subscription").ToList();
        var subscription = Assert.Single(subscriptions);
        Assert.Equal("dapr.io/v2alpha1", subscription.Str("apiVersion"));
        Assert.Equal(SharedNames.PubSub, subscription.Str("spec", "pubsubname"));
        Assert.Equal(SharedNames.AlertsTopic, subscription.Str("spec", "topic"));
        Assert.Equal(SharedNames.DeadLetterTopic, subscription.Str("spec", "deadLetterTopic"));
        Assert.Equal(SharedNames.AlertsRoute, subscription.Str("spec", "routes", "default"));
        Assert.Equal([SharedNames.ActorsAppId], subscription.StringsAt("scopes"));
    }

    [Fact]
    public void Local_and_cluster_define_the_same_components()
    {
        Assert.Equal(Components("local").Select(c => c.Name).Order(), Components("kubernetes").Select(c => c.Name).Order());
        Assert.All(Components("kubernetes"), c => Assert.Equal(SharedNames.Namespace, c.Namespace));
    }

    [Fact]
    public void Every_dapr_resource_file_parses_and_has_a_kind_and_name()
    {
        var documents = Manifests.DocumentsUnder("components").Concat(Manifests.DocumentsUnder("dapr"))
            .Where(d => !d.File.EndsWith("kustomization.yaml", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(documents);
        foreach (var (file, document) in documents)
        {
            Assert.StartsWith("dapr.io/", document.Str("apiVersion") ?? "", StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(document.Name), $"{file}: no metadata.name");
            Assert.Contains(document.Kind, new[] { "Component", "Configuration", "Resiliency", "Subscription" });
        }
    }
}
