using System.Text.Json.Nodes;
using Autopilot.Remediation.Routing;

namespace Autopilot.GatewayBridge.Core.Routes;

/// <summary>Reads and rewrites the parts of an HTTPRoute JSON object the bridge cares about.</summary>
public static class HttpRouteDocument
{
    public const string StableBackendAnnotation = "autopilot.io/stable-backend";

    /// <summary>Gateway API: a backendRef without a weight has weight 1.</summary>
    private const int DefaultWeight = 1;

    public static RouteState ToState(JsonObject route)
    {
        var metadata = route["metadata"] as JsonObject;
        var annotations = Annotations(route);
        var rules = new List<RouteRule>();
        if (route["spec"]?["rules"] is JsonArray ruleArray)
        {
            for (var i = 0; i < ruleArray.Count; i++)
                rules.Add(new RouteRule(i, BackendsOf(ruleArray[i])));
        }
        return new RouteState(
            new RouteRef(metadata?["namespace"]?.GetValue<string>() ?? "", metadata?["name"]?.GetValue<string>() ?? ""),
            metadata?["resourceVersion"]?.GetValue<string>() ?? "",
            rules,
            annotations.GetValueOrDefault(StableBackendAnnotation),
            annotations);
    }

    public static string ResourceVersion(JsonObject route) => route["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";

    public static IReadOnlyDictionary<string, string> Annotations(JsonObject route)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (route["metadata"]?["annotations"] is JsonObject annotations)
            foreach (var (key, value) in annotations)
                if (value is JsonValue v && v.TryGetValue<string>(out var text)) result[key] = text;
        return result;
    }

    public static IReadOnlyDictionary<string, string> Labels(JsonObject route)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (route["metadata"]?["labels"] is JsonObject labels)
            foreach (var (key, value) in labels)
                if (value is JsonValue v && v.TryGetValue<string>(out var text)) result[key] = text;
        return result;
    }

    /// <summary>
    /// A copy of spec.rules with the weights of each rule in <paramref name="weightsByRule"/> replaced by name. A merge
    /// patch replaces lists whole, so the patch must carry every rule; everything but the weights is copied untouched.
    /// </summary>
    public static JsonArray RulesWithWeights(JsonObject route, IEnumerable<RuleWeights> weightsByRule)
    {
        var rules = (route["spec"]?["rules"] as JsonArray)?.DeepClone() as JsonArray
            ?? throw new InvalidOperationException("The route has no spec.rules.");
        foreach (var rule in weightsByRule)
        {
            var byName = rule.After.ToDictionary(w => w.Name, w => w.Weight, StringComparer.Ordinal);
            if (rules[rule.RuleIndex]?["backendRefs"] is JsonArray refs)
                foreach (var backendRef in refs.OfType<JsonObject>())
                    if (backendRef["name"]?.GetValue<string>() is { } name && byName.TryGetValue(name, out var weight))
                        backendRef["weight"] = weight;
        }
        return rules;
    }

    private static List<BackendWeight> BackendsOf(JsonNode? rule)
    {
        var backends = new List<BackendWeight>();
        if (rule?["backendRefs"] is not JsonArray refs) return backends;
        foreach (var backendRef in refs.OfType<JsonObject>())
        {
            var name = backendRef["name"]?.GetValue<string>();
            if (name is null) continue;
            var weight = backendRef["weight"] is JsonValue w && w.TryGetValue<int>(out var value) ? value : DefaultWeight;
            backends.Add(new BackendWeight(name, weight));
        }
        return backends;
    }
}
