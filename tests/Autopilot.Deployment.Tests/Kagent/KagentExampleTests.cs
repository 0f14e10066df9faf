using System.Reflection;
using Autopilot.Deployment.Tests.Support;
using Autopilot.Mcp;
using Autopilot.Testing;
using ModelContextProtocol.Server;

namespace Autopilot.Deployment.Tests.Kagent;

/// <summary>
/// deploy/kagent, the optional add-on that registers Autopilot's read-only MCP endpoint with kagent: it renders, its
/// kagent resources fit kagent's own CRD schemas (vendored beside this file, source in their headers), its URL leads
/// to the actors pods' app port and the path the hosts serve, and the network lets kagent in to that port only.
/// </summary>
public sealed class KagentExampleTests
{
    private const string Folder = "deploy/kagent";
    private static readonly Lazy<IReadOnlyList<Map>> LazyAddOn = new(() => Kustomize.Render(Repo.PathOf(Folder)));
    private static IReadOnlyList<Map> AddOn => LazyAddOn.Value;

    private static Map Resource(string kind) =>
        AddOn.SingleOrDefault(r => r.Kind == kind) ?? throw new KeyNotFoundException($"{Folder} renders no {kind}");

    private static Map VendoredSchema(string file) =>
        Yaml.LoadSingle(Repo.PathOf("tests", "Autopilot.Deployment.Tests", "Kagent", file));

    [Theory]
    [InlineData("RemoteMCPServer", "remotemcpserver-v1alpha2.schema.yaml")]
    [InlineData("Agent", "agent-v1alpha2.schema.yaml")]
    public void The_kagent_resources_fit_kagents_crd_schema(string kind, string schemaFile)
    {
        var resource = Resource(kind);

        Assert.Equal("kagent.dev/v1alpha2", resource.Str("apiVersion"));
        var problems = CrdSchema.Problems(resource, VendoredSchema(schemaFile));
        Assert.True(problems.Count == 0, $"{resource.Describe()}: {string.Join("; ", problems)}");
    }

    [Fact]
    public void The_schema_check_catches_a_missing_required_field_a_wrong_enum_and_an_unknown_field()
    {
        var broken = Resource("RemoteMCPServer").DeepClone();
        var spec = broken.RequiredMap("spec");
        spec.Remove("url");
        spec["protocol"] = "WEBSOCKET";
        spec["uri"] = "http://typo";

        var problems = CrdSchema.Problems(broken, VendoredSchema("remotemcpserver-v1alpha2.schema.yaml"));

        Assert.Contains("spec: 'url' is required", problems);
        Assert.Contains("spec.protocol: 'WEBSOCKET' is not one of SSE, STREAMABLE_HTTP", problems);
        Assert.Contains("spec.uri: not a field of this resource", problems);
    }

    [Fact]
    public void The_crd_rules_that_apply_hold()
    {
        // The CEL rules of the two CRDs that concern what the example sets, checked by hand (they are not evaluated).
        var server = Resource("RemoteMCPServer").RequiredMap("spec");
        Assert.False(server.Required("url").StartsWith("http://", StringComparison.Ordinal) && server.ContainsKey("tls"),
            "spec.tls must be unset when spec.url has http:// scheme");
        var agent = Resource("Agent").RequiredMap("spec");
        Assert.Equal("Declarative", agent.Required("type"));
        Assert.NotNull(agent.MapAt("declarative"));
        Assert.All(agent.MapsAt("declarative", "tools"), tool =>
        {
            Assert.Equal("McpServer", tool.Required("type"));
            Assert.NotNull(tool.MapAt("mcpServer"));
        });
    }

    [Fact]
    public void The_agent_uses_the_registered_server_and_only_tools_it_serves()
    {
        var server = Resource("RemoteMCPServer");
        var served = typeof(AutopilotReadTools).GetMethods().Select(m => m.GetCustomAttribute<McpServerToolAttribute>()?.Name).OfType<string>().ToList();
        var tool = Assert.Single(Resource("Agent").MapsAt("spec", "declarative", "tools")).RequiredMap("mcpServer");

        Assert.Equal(("kagent.dev", "RemoteMCPServer", server.Name), (tool.Str("apiGroup"), tool.Str("kind"), tool.Str("name")));
        // No namespace on the reference: the agent sits in the server's namespace (allowedNamespaces defaults to Same).
        Assert.Equal(server.Namespace, Resource("Agent").Namespace);
        Assert.Null(tool.Str("namespace"));
        Assert.Equal(served.Order(), tool.StringsAt("toolNames").Order());
    }

    [Fact]
    public void The_url_leads_to_the_actors_app_port_and_the_mcp_path()
    {
        var url = new Uri(Resource("RemoteMCPServer").Required("spec", "url"));
        var service = Resource("Service");
        var actors = Manifests.ClusterResource("Deployment", "autopilot-actors");
        var actorsPods = PodIdentity.Of(actors);

        Assert.Equal(McpHostingExtensions.Path, url.AbsolutePath);
        Assert.Equal($"{service.Name}.{service.Namespace}.svc.cluster.local", url.Host);
        Assert.All(service.RequiredMap("spec", "selector"), kv => Assert.Equal(kv.Value, actorsPods.Labels.GetValueOrDefault(kv.Key)));
        var port = Assert.Single(service.MapsAt("spec", "ports"), p => int.Parse(p.Required("port")) == url.Port);
        var target = port.Required("targetPort");
        Assert.Equal(5080, int.TryParse(target, out var number) ? number : actorsPods.NamedPorts[target]);
        // 5080 is the app port, where /mcp is served; the monitoring port would answer 404.
        Assert.Contains(actors.MapsAt("spec", "template", "spec", "containers").SelectMany(c => c.MapsAt("env")),
            e => e.Str("name") == "ASPNETCORE_URLS" && e.Required("value").Contains(":5080", StringComparison.Ordinal));
    }

    [Fact]
    public void Kagent_pods_reach_the_actors_app_port_and_nothing_else_it_did_not_reach_before()
    {
        var policies = Manifests.ClusterOfKind("NetworkPolicy").Concat(AddOn.Where(r => r.Kind == "NetworkPolicy")).ToList();
        var actors = PodIdentity.Of(Manifests.ClusterResource("Deployment", "autopilot-actors"));
        var bridge = PodIdentity.Of(Manifests.ClusterResource("Deployment", "gateway-bridge"));
        var kagent = PodIdentity.Elsewhere("kagent");

        Assert.False(NetworkPolicies.Allows(Manifests.ClusterOfKind("NetworkPolicy"), kagent, actors, 5080), "the base alone must not admit kagent");
        Assert.True(NetworkPolicies.Allows(policies, kagent, actors, 5080));
        Assert.False(NetworkPolicies.Allows(policies, kagent, actors, 5081));
        Assert.False(NetworkPolicies.Allows(policies, kagent, bridge, 5070));
        Assert.False(NetworkPolicies.Allows(policies, PodIdentity.Elsewhere("default"), actors, 5080));
    }
}
