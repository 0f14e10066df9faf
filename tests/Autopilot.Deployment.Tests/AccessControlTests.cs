using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests;

/// <summary>Dapr access control as Dapr applies it: the callee's Configuration decides, by the caller's app-id.</summary>
public class AccessControlTests
{
    private static readonly string[] Callers =
        [.. SharedNames.ClusterAppIds, "some-other-app", "default"];

    /// <summary>Whether any operation on the callee is allowed to the caller (Dapr's rules: app policy, else default).</summary>
    private static bool MayInvokeAnything(Map configuration, string caller, string callerNamespace = SharedNames.Namespace)
    {
        var acl = configuration.MapAt("spec", "accessControl");
        if (acl is null) return true;
        var policy = acl.MapsAt("policies").FirstOrDefault(p => p.Str("appId") == caller && p.Str("namespace") == callerNamespace);
        if (policy is null) return acl.Str("defaultAction") != "deny";
        return policy.Str("defaultAction") == "allow"
            || policy.MapsAt("operations").Any(o => (o.Str("action") ?? "allow") == "allow");
    }

    [Theory]
    [InlineData("DELETE /changes/c-42")]
    [InlineData("PUT /routes/shop/checkout")]
    [InlineData("POST /routes/shop/checkout")]
    [InlineData("GET /metrics")]
    [InlineData("POST /admin")]
    public void The_guardrail_may_not_call_anything_else_on_gateway_bridge(string call)
    {
        var (verb, path) = (call.Split(' ')[0], call.Split(' ')[1]);
        Assert.False(DaprAccessControl.Allows(Manifests.ClusterConfigurationFor(SharedNames.GatewayBridgeAppId), SharedNames.GuardrailAppId, verb, path));
    }

    [Fact]
    public void Gateway_bridge_denies_by_default()
    {
        var config = Manifests.ClusterConfigurationFor(SharedNames.GatewayBridgeAppId);
        Assert.Equal("deny", config.Str("spec", "accessControl", "defaultAction"));
        Assert.All(config.MapsAt("spec", "accessControl", "policies"), p => Assert.Equal("deny", p.Str("defaultAction")));
    }

    [Fact]
    public void Only_the_guardrail_may_invoke_gateway_bridge()
    {
        var config = Manifests.ClusterConfigurationFor(SharedNames.GatewayBridgeAppId);
        var allowed = Callers.Where(c => MayInvokeAnything(config, c)).ToList();
        Assert.NotEmpty(allowed);
        Assert.Equal([SharedNames.GuardrailAppId], allowed); // the incident actors included: they hold no approval
        Assert.All(config.MapsAt("spec", "accessControl", "policies"),
            p => Assert.Equal(SharedNames.Namespace, p.Str("namespace")));
    }

    [Fact]
    public void The_guardrail_may_only_use_the_bridge_api_with_listed_verbs()
    {
        var config = Manifests.ClusterConfigurationFor(SharedNames.GatewayBridgeAppId);
        var operations = config.MapsAt("spec", "accessControl", "policies").SelectMany(p => p.MapsAt("operations")).ToList();
        Assert.NotEmpty(operations);
        foreach (var operation in operations)
        {
            Assert.DoesNotContain(operation.Required("name"), new[] { "/*", "/**" });
            var verbs = operation.StringsAt("httpVerb");
            Assert.NotEmpty(verbs);
            Assert.DoesNotContain("*", verbs);
        }
    }

    [Fact]
    public void Only_the_incident_actors_may_invoke_inference_pool()
    {
        var config = Manifests.ClusterConfigurationFor(SharedNames.InferencePoolAppId);
        Assert.Equal("deny", config.Str("spec", "accessControl", "defaultAction"));
        Assert.Equal([SharedNames.ActorsAppId], Callers.Where(c => MayInvokeAnything(config, c)));
    }

    [Theory]
    [InlineData(SharedNames.ActorsAppId)]
    [InlineData(SharedNames.GuardrailAppId)]
    public void Nothing_may_invoke_the_actor_apps_through_service_invocation(string appId)
    {
        var config = Manifests.ClusterConfigurationFor(appId);
        Assert.DoesNotContain(Callers, c => MayInvokeAnything(config, c));
    }

    [Fact]
    public void A_caller_from_another_namespace_is_denied_even_with_the_guardrails_app_id()
    {
        var config = Manifests.ClusterConfigurationFor(SharedNames.GatewayBridgeAppId);
        Assert.False(MayInvokeAnything(config, SharedNames.GuardrailAppId, callerNamespace: "shop"));
    }

    [Fact]
    public void Local_configurations_never_open_access_explicitly()
    {
        // Self-hosted sidecars have no mTLS identity, so they carry no access-control list (see the file's comment);
        // but none may declare an allow-by-default list that would read as enforced.
        foreach (var appId in SharedNames.AppIds)
            Assert.NotEqual("allow", Manifests.LocalConfiguration(appId).Str("spec", "accessControl", "defaultAction"));
    }

    [Fact]
    public void Every_sidecar_traces_to_an_otel_collector_with_full_sampling()
    {
        foreach (var appId in SharedNames.AppIds)
            foreach (var config in new[] { Manifests.LocalConfiguration(appId), Manifests.ClusterConfigurationFor(appId) })
            {
                Assert.Equal("1", config.Str("spec", "tracing", "samplingRate"));
                Assert.EndsWith(":4317", config.Required("spec", "tracing", "otel", "endpointAddress"));
                Assert.Equal("true", config.Str("spec", "metric", "enabled"));
            }
    }
}
