using System.Text.Json;
using System.Text.RegularExpressions;

namespace Autopilot.Mcp;

/// <summary>
/// Checks a call's arguments against the input schema the tool advertises, so that what an agent is told
/// (type, required, minimum/maximum, pattern, minLength, enum) is exactly what is enforced, and a wrong argument
/// gets an answer naming it and what would be valid. Without this the SDK's binder answers a missing or mistyped
/// argument with only "An error occurred invoking '…'". Covers the keywords the tools' schemas use, nothing more.
/// </summary>
public static class ToolArguments
{
    /// <summary>The first problem with <paramref name="arguments"/>, as "name: what is wrong; what is valid", or null.</summary>
    public static string? Problem(JsonElement inputSchema, IDictionary<string, JsonElement>? arguments)
    {
        arguments ??= new Dictionary<string, JsonElement>();
        var properties = inputSchema.TryGetProperty("properties", out var p) ? p : default;
        var known = properties.ValueKind == JsonValueKind.Object ? properties.EnumerateObject().Select(x => x.Name).ToList() : [];

        foreach (var name in arguments.Keys.Where(k => !known.Contains(k)))
            return $"{name}: not an argument of this tool; its arguments are {List(known)}.";

        if (inputSchema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!).Where(r => !arguments.ContainsKey(r)))
                return $"{name}: required; {Expected(properties.GetProperty(name))}.";
        }

        foreach (var (name, value) in arguments)
        {
            var schema = properties.GetProperty(name);
            if (ProblemWith(schema, value) is { } problem) return $"{name}: {problem}; {Expected(schema)}.";
        }
        return null;
    }

    private static string? ProblemWith(JsonElement schema, JsonElement value)
    {
        var type = schema.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (type is not null && !HasType(value, type)) return $"{Show(value)} is not {Article(type)}";

        if (value.ValueKind == JsonValueKind.Number)
        {
            var number = value.GetDouble();
            if (schema.TryGetProperty("minimum", out var min) && number < min.GetDouble()) return $"{Show(value)} is below the minimum {min}";
            if (schema.TryGetProperty("maximum", out var max) && number > max.GetDouble()) return $"{Show(value)} is above the maximum {max}";
        }
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            if (schema.TryGetProperty("minLength", out var minLength) && text.Length < minLength.GetInt32()) return $"{Show(value)} is too short";
            if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1)))
                return $"{Show(value)} does not match the pattern";
        }
        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
            return $"{Show(value)} is not one of the allowed values";
        return null;
    }

    private static bool HasType(JsonElement value, string type) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        _ => true,
    };

    /// <summary>What a valid value looks like, from the schema: the type, its bounds or pattern, and the description.</summary>
    private static string Expected(JsonElement schema)
    {
        var parts = new List<string>();
        if (schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String) parts.Add(Article(type.GetString()!));
        if (schema.TryGetProperty("minimum", out var min) && schema.TryGetProperty("maximum", out var max)) parts.Add($"from {min} to {max}");
        if (schema.TryGetProperty("pattern", out var pattern)) parts.Add($"matching {pattern.GetString()}");
        if (schema.TryGetProperty("enum", out var allowed)) parts.Add($"one of {List(allowed.EnumerateArray().Select(a => a.ToString()))}");
        var expected = "give " + string.Join(" ", parts);
        return schema.TryGetProperty("description", out var description) ? $"{expected} ({description.GetString()?.TrimEnd('.')})" : expected;
    }

    private static string Article(string type) => type is "integer" or "object" or "array" ? $"an {type}" : $"a {type}";

    private static string Show(JsonElement value) => value.ValueKind == JsonValueKind.String ? $"'{value.GetString()}'" : value.GetRawText();

    private static string List(IEnumerable<string> names) => string.Join(", ", names);
}
