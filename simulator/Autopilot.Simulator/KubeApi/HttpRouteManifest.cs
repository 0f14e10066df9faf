using System.Text.Json.Nodes;
using Autopilot.Remediation.Routing;

namespace Autopilot.Simulator.KubeApi;

/// <summary>Builds HTTPRoute objects to seed the fake API server, e.g. the sample route shop/checkout.</summary>
public static class HttpRouteManifest
{
    public static JsonObject Create(RouteRef route, IReadOnlyList<BackendWeight> backends, string? stableBackend = null,
        string gateway = "autopilot-gateway", int port = 8080, IReadOnlyDictionary<string, string>? labels = null) =>
        Create(route, [new RouteRuleSpec("/", backends)], stableBackend, gateway, port, labels);

    /// <summary>A route of several rules, one per path prefix, as real routes often are (e.g. /static to one
    /// service, /api split between stable and canary).</summary>
    public static JsonObject Create(RouteRef route, IReadOnlyList<RouteRuleSpec> rules, string? stableBackend = null,
        string gateway = "autopilot-gateway", int port = 8080, IReadOnlyDictionary<string, string>? labels = null)
    {
        var metadata = new JsonObject { ["name"] = route.Name, ["namespace"] = route.Namespace };
        if (stableBackend is not null)
            metadata["annotations"] = new JsonObject { ["autopilot.io/stable-backend"] = stableBackend };
        if (labels is not null)
            metadata["labels"] = new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));
        return new JsonObject
        {
            ["apiVersion"] = KubeResourceType.HttpRoute.ApiVersion,
            ["kind"] = KubeResourceType.HttpRoute.Kind,
            ["metadata"] = metadata,
            ["spec"] = new JsonObject
            {
                ["parentRefs"] = new JsonArray(new JsonObject { ["name"] = gateway }),
                ["rules"] = new JsonArray([.. rules.Select(rule => (JsonNode)new JsonObject
                {
                    ["matches"] = new JsonArray(new JsonObject { ["path"] = new JsonObject { ["type"] = "PathPrefix", ["value"] = rule.PathPrefix } }),
                    ["backendRefs"] = new JsonArray([.. rule.Backends.Select(b => (JsonNode)new JsonObject
                    {
                        ["name"] = b.Name,
                        ["port"] = port,
                        ["weight"] = b.Weight,
                    })]),
                })]),
            },
        };
    }

    /// <summary>The rules of an HTTPRoute object with their weights (Gateway API: a backendRef without a weight has 1).</summary>
    public static IReadOnlyList<RouteRule> Rules(JsonObject route)
    {
        if (route["spec"]?["rules"] is not JsonArray rules) return [];
        return [.. rules.Select((rule, index) => new RouteRule(index, rule?["backendRefs"] is JsonArray refs
            ? [.. refs.OfType<JsonObject>().Select(r => new BackendWeight(
                r["name"]?.GetValue<string>() ?? "",
                r["weight"] is JsonValue w && w.TryGetValue<int>(out var weight) ? weight : 1))]
            : []))];
    }

    /// <summary>The sample route every scenario starts from: shop/checkout, checkout-v1 (stable) 90, checkout-v2 (canary) 10.</summary>
    public static JsonObject SampleCheckout(int stableWeight = 90) =>
        Create(new RouteRef("shop", "checkout"),
            [new BackendWeight("checkout-v1", stableWeight), new BackendWeight("checkout-v2", 100 - stableWeight)],
            stableBackend: "checkout-v1",
            labels: new Dictionary<string, string> { ["autopilot.io/workload"] = "checkout" });
}

/// <summary>One rule of a seeded route: requests under PathPrefix go to Backends.</summary>
public sealed record RouteRuleSpec(string PathPrefix, IReadOnlyList<BackendWeight> Backends);
