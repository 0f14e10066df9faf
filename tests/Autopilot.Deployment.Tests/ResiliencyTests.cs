using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests;

public class ResiliencyTests
{
    private static Map Resiliency => Manifests.ClusterOfKind("Resiliency").Single();

    private static TimeSpan Duration(string text)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text, @"^(\d+)(ms|s|m|h)$");
        Assert.True(match.Success, $"'{text}' is not a Dapr duration");
        var value = int.Parse(match.Groups[1].Value);
        return match.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(value),
            "s" => TimeSpan.FromSeconds(value),
            "m" => TimeSpan.FromMinutes(value),
            _ => TimeSpan.FromHours(value),
        };
    }

    [Fact]
    public void Resiliency_is_loaded_both_self_hosted_and_in_the_cluster()
    {
        Assert.Single(Manifests.LocalResources, r => r.Document.Kind == "Resiliency");
        Assert.Equal([SharedNames.ActorsAppId], Resiliency.StringsAt("scopes"));
    }

    [Fact]
    public void Calls_to_inference_pool_and_gateway_bridge_have_timeout_retry_and_circuit_breaker()
    {
        foreach (var app in new[] { SharedNames.InferencePoolAppId, SharedNames.GatewayBridgeAppId })
        {
            var target = Resiliency.RequiredMap("spec", "targets", "apps", app);
            Assert.NotNull(target.Str("timeout"));
            Assert.NotNull(target.Str("retry"));
            Assert.NotNull(target.Str("circuitBreaker"));
        }
    }

    [Fact]
    public void Alerts_pubsub_retries_deliveries_before_dead_lettering()
    {
        var target = Resiliency.RequiredMap("spec", "targets", "components", SharedNames.PubSub);
        Assert.NotNull(target.Str("outbound", "retry"));
        Assert.NotNull(target.Str("inbound", "retry"));
    }

    [Fact]
    public void Every_target_names_a_policy_that_exists()
    {
        var policies = Resiliency.RequiredMap("spec", "policies");
        var targets = Resiliency.RequiredMap("spec", "targets");
        var references = new List<(string Where, string Kind, string Name)>();
        void Collect(string where, Map target)
        {
            foreach (var (kind, policyKind) in new[] { ("timeout", "timeouts"), ("retry", "retries"), ("circuitBreaker", "circuitBreakers") })
                if (target.Str(kind) is { } name) references.Add((where, policyKind, name));
        }
        foreach (var (app, target) in targets.MapAt("apps")!) Collect($"apps.{app}", (Map)target!);
        foreach (var (actor, target) in targets.MapAt("actors")!) Collect($"actors.{actor}", (Map)target!);
        foreach (var (component, target) in targets.MapAt("components")!)
            foreach (var direction in new[] { "inbound", "outbound" })
                if (((Map)target!).MapAt(direction) is { } directed) Collect($"components.{component}.{direction}", directed);

        Assert.NotEmpty(references);
        foreach (var (where, kind, name) in references)
            Assert.True(policies.MapAt(kind)?.ContainsKey(name) == true, $"resiliency target {where} uses {kind} '{name}', which is not defined");
    }

    [Fact]
    public void Targets_name_real_components_and_actor_types()
    {
        var components = Manifests.ClusterOfKind("Component").Select(c => c.Name).ToHashSet();
        Assert.All(Resiliency.RequiredMap("spec", "targets", "components").Keys, name => Assert.Contains(name, components));
        Assert.All(Resiliency.RequiredMap("spec", "targets", "actors").Keys, name => Assert.Contains(name, SharedNames.ActorTypes));
    }

    [Fact]
    public void An_incident_actor_turn_outlasts_the_model_call_it_contains()
    {
        var timeouts = Resiliency.RequiredMap("spec", "policies", "timeouts");
        var actorTimeout = Duration((string)timeouts[Resiliency.Required("spec", "targets", "actors", "IncidentActor", "timeout")]!);
        var modelTimeout = Duration((string)timeouts[Resiliency.Required("spec", "targets", "apps", SharedNames.InferencePoolAppId, "timeout")]!);
        Assert.True(actorTimeout > modelTimeout, $"IncidentActor timeout {actorTimeout} must exceed the inference timeout {modelTimeout}");
        Assert.All(timeouts.Values, value => Duration((string)value!));
    }

    [Fact]
    public void Decisions_of_the_bridge_are_never_retried()
    {
        var retry = Resiliency.RequiredMap("spec", "policies", "retries",
            Resiliency.Required("spec", "targets", "apps", SharedNames.GatewayBridgeAppId, "retry"));
        var codes = retry.Required("matching", "httpStatusCodes");
        foreach (var decision in new[] { 401, 403, 404, 409, 412, 422 })
            Assert.False(StatusListContains(codes, decision), $"gateway-bridge retries status {decision}, a decision, not a transient failure");
    }

    private static bool StatusListContains(string list, int status) =>
        list.Split(',').Any(part => part.Split('-') switch
        {
            [var single] => int.Parse(single) == status,
            [var from, var to] => status >= int.Parse(from) && status <= int.Parse(to),
            _ => false,
        });
}
