using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests.Kagent;

/// <summary>
/// What the API server checks of a custom resource against its CRD's structural openAPIV3Schema, offline: type,
/// required, enum, minLength/maxLength, minItems/maxItems, and no field the schema does not define (the API server
/// would drop it, or refuse it under strict field validation). CEL rules (x-kubernetes-validations) are not evaluated.
/// A subtree marked x-autopilot-pruned (left out when the schema was vendored) must not be used.
/// Values come from <see cref="Yaml"/>: scalars are strings, typed here as YAML 1.1 would type them.
/// </summary>
public static class CrdSchema
{
    public static IReadOnlyList<string> Problems(Map resource, Map schema) => [.. Check(resource, schema, "")];

    private static IEnumerable<string> Check(object? value, Map schema, string path)
    {
        var at = path.Length == 0 ? "(root)" : path;
        if (schema.ContainsKey("x-autopilot-pruned"))
        {
            yield return $"{at}: not in the vendored schema (pruned); vendor that part of the CRD to use it";
            yield break;
        }
        var type = schema.Str("type");
        if (type is not null && !HasType(value, type))
        {
            yield return $"{at}: expected {type}, got '{value}'";
            yield break;
        }
        if (schema.StringsAt("enum") is { Count: > 0 } allowed && value is string s && !allowed.Contains(s))
            yield return $"{at}: '{s}' is not one of {string.Join(", ", allowed)}";
        if (value is string text)
        {
            if (schema.Str("minLength") is { } min && text.Length < int.Parse(min)) yield return $"{at}: shorter than {min}";
            if (schema.Str("maxLength") is { } max && text.Length > int.Parse(max)) yield return $"{at}: longer than {max}";
        }
        if (value is List<object?> items)
        {
            if (schema.Str("minItems") is { } min && items.Count < int.Parse(min)) yield return $"{at}: fewer than {min} items";
            if (schema.Str("maxItems") is { } max && items.Count > int.Parse(max)) yield return $"{at}: more than {max} items";
            if (schema.MapAt("items") is { } itemSchema)
                foreach (var problem in items.SelectMany((item, i) => Check(item, itemSchema, $"{path}[{i}]"))) yield return problem;
        }
        if (value is Map map)
        {
            foreach (var required in schema.StringsAt("required").Where(r => !map.ContainsKey(r)))
                yield return $"{at}: '{required}' is required";
            var properties = schema.MapAt("properties");
            var openEnded = properties is null || schema.ContainsKey("additionalProperties") || schema.Str("x-kubernetes-preserve-unknown-fields") == "true";
            foreach (var (key, child) in map)
            {
                var childPath = path.Length == 0 ? key : $"{path}.{key}";
                if (properties?.MapAt(key) is { } childSchema)
                {
                    foreach (var problem in Check(child, childSchema, childPath)) yield return problem;
                }
                else if (!openEnded)
                {
                    yield return $"{childPath}: not a field of this resource";
                }
            }
        }
    }

    private static bool HasType(object? value, string type) => type switch
    {
        "object" => value is Map,
        "array" => value is List<object?>,
        "string" => value is string,
        "integer" => value is string s && long.TryParse(s, out _),
        "number" => value is string s && double.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out _),
        "boolean" => value is "true" or "false",
        _ => true,
    };
}
