using System.Text.Json.Nodes;

namespace Autopilot.Simulator.KubeApi;

/// <summary>
/// A namespaced resource the fake API server serves, e.g. HTTPRoutes or a gateway's rate-limit policy kind.
/// Validate returns the schema violations (field path, message) a real server would answer 422 for.
/// </summary>
public sealed record KubeResourceType(
    string Group,
    string Version,
    string Plural,
    string Kind,
    Func<JsonObject, IReadOnlyList<(string Field, string Message)>>? Validate = null)
{
    public string ApiVersion => $"{Group}/{Version}";
    public string QualifiedPlural => $"{Plural}.{Group}";

    public static readonly KubeResourceType HttpRoute =
        new("gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute", HttpRouteSchema.Validate);

    /// <summary>Any namespaced custom resource with a free-form spec (validated only as an object).</summary>
    public static KubeResourceType Generic(string group, string version, string plural, string kind) =>
        new(group, version, plural, kind, obj => obj["spec"] is null or JsonObject ? [] : [("spec", "Invalid value: must be an object")]);
}

/// <summary>The parts of the Gateway API HTTPRoute schema the bridge touches.</summary>
public static class HttpRouteSchema
{
    public const int MaxWeight = 1_000_000;
    public const int MaxRules = 16;
    public const int MaxBackendRefs = 16;

    public static IReadOnlyList<(string Field, string Message)> Validate(JsonObject route)
    {
        var errors = new List<(string, string)>();
        if (route["spec"] is not JsonObject spec)
        {
            errors.Add(("spec", "Required value"));
            return errors;
        }
        if (spec["rules"] is null) return errors;
        if (spec["rules"] is not JsonArray rules)
        {
            errors.Add(("spec.rules", "Invalid value: \"object\": spec.rules in body must be of type array"));
            return errors;
        }
        if (rules.Count > MaxRules) errors.Add(("spec.rules", $"Too many: {rules.Count}: must have at most {MaxRules} items"));
        for (var r = 0; r < rules.Count; r++)
        {
            var rulePath = $"spec.rules[{r}]";
            if (rules[r] is not JsonObject rule) { errors.Add((rulePath, "Invalid value: must be an object")); continue; }
            if (rule["backendRefs"] is null) continue;
            if (rule["backendRefs"] is not JsonArray refs) { errors.Add(($"{rulePath}.backendRefs", "Invalid value: must be of type array")); continue; }
            if (refs.Count > MaxBackendRefs) errors.Add(($"{rulePath}.backendRefs", $"Too many: {refs.Count}: must have at most {MaxBackendRefs} items"));
            for (var b = 0; b < refs.Count; b++)
            {
                var refPath = $"{rulePath}.backendRefs[{b}]";
                if (refs[b] is not JsonObject backendRef) { errors.Add((refPath, "Invalid value: must be an object")); continue; }
                if (backendRef["name"] is not JsonValue name || !name.TryGetValue<string>(out var n) || n.Length == 0)
                    errors.Add(($"{refPath}.name", "Required value"));
                if (backendRef["weight"] is { } weightNode)
                {
                    if (weightNode is not JsonValue w || !TryGetInteger(w, out var weight))
                        errors.Add(($"{refPath}.weight", $"Invalid value: \"{weightNode.ToJsonString()}\": {refPath}.weight in body must be of type integer"));
                    else if (weight < 0)
                        errors.Add(($"{refPath}.weight", $"Invalid value: {weight}: {refPath}.weight in body should be greater than or equal to 0"));
                    else if (weight > MaxWeight)
                        errors.Add(($"{refPath}.weight", $"Invalid value: {weight}: {refPath}.weight in body should be less than or equal to {MaxWeight}"));
                }
            }
        }
        return errors;
    }

    private static bool TryGetInteger(JsonValue value, out long result)
    {
        if (value.TryGetValue(out long l)) { result = l; return true; }
        if (value.TryGetValue(out int i)) { result = i; return true; }
        result = 0;
        return false;
    }
}
