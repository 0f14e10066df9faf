using System.Text;
using System.Text.Json;
using Autopilot.InferencePool.Client;

namespace Autopilot.InferencePool.Engine.Grammars;

/// <summary>
/// Converts a JSON schema to a GBNF grammar whose every sentence is JSON matching the schema.
/// Supported: type (object, array, string, integer, number, boolean, null, or a list of them), properties + required
/// (properties not listed in "required" are never generated; with no "required" every property is), items, minItems,
/// maxItems, minLength, maxLength, enum, const, anyOf, oneOf, integer minimum + maximum (a pair at most 1000 apart),
/// and a string "pattern" made of character classes (<see cref="StringPattern"/>). Annotations (title, description,
/// $schema, additionalProperties...) are ignored: nothing beyond the listed properties is ever generated. Anything else
/// a grammar cannot enforce (number bounds, formats, $ref, general regular expressions) is refused, so nobody relies
/// on it. Generated strings are printable ASCII with JSON escapes (other characters only as \uXXXX, never a lone
/// surrogate), so a byte-level model can never emit invalid UTF-8 inside them.
/// </summary>
public static class JsonSchemaGrammar
{
    /// <exception cref="PoolRequestException">The schema is not JSON or uses something the grammar cannot enforce.</exception>
    public static string Convert(string schemaJson)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(schemaJson);
        }
        catch (JsonException e)
        {
            throw new PoolRequestException("jsonSchema", $"is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var rules = new List<string>();
            var root = Value(document.RootElement, "#", rules);
            var gbnf = new StringBuilder();
            gbnf.Append("root ::= ").Append(root).Append('\n');
            foreach (var rule in rules) gbnf.Append(rule).Append('\n');
            gbnf.Append("""
                ws ::= [ \t\n]{0,8}
                string ::= "\"" char* "\""
                char ::= [ !#-\[\]-~] | "\\" (["\\/bfnrt] | "u" ([0-9a-cA-CefEF] [0-9a-fA-F]{3} | [dD] [0-7] [0-9a-fA-F]{2}))
                integer ::= "-"? ("0" | [1-9] [0-9]{0,15})
                number ::= integer ("." [0-9]{1,15})? ([eE] [-+]? [0-9]{1,3})?
                boolean ::= "true" | "false"
                null ::= "null"

                """);
            return gbnf.ToString();
        }
    }

    private static string Value(JsonElement schema, string path, List<string> rules)
    {
        if (schema.ValueKind == JsonValueKind.True) return Any(rules);
        if (schema.ValueKind != JsonValueKind.Object)
            throw Unsupported(path, "a schema must be an object");
        foreach (var property in schema.EnumerateObject())
        {
            if (property.Name is "exclusiveMinimum" or "exclusiveMaximum" or "multipleOf"
                or "$ref" or "allOf" or "not" or "if" or "format" or "patternProperties" or "uniqueItems")
                throw Unsupported($"{path}/{property.Name}", "cannot be enforced by a grammar; drop it and check it when parsing");
        }

        if (schema.TryGetProperty("const", out var constant)) return Literal(constant);
        if (schema.TryGetProperty("enum", out var values))
        {
            if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0)
                throw Unsupported($"{path}/enum", "must be a non-empty array");
            return "(" + string.Join(" | ", values.EnumerateArray().Select(Literal)) + ")";
        }
        foreach (var keyword in new[] { "anyOf", "oneOf" })
        {
            if (!schema.TryGetProperty(keyword, out var options)) continue;
            if (options.ValueKind != JsonValueKind.Array || options.GetArrayLength() == 0)
                throw Unsupported($"{path}/{keyword}", "must be a non-empty array");
            return "(" + string.Join(" | ", options.EnumerateArray().Select((o, i) => Value(o, $"{path}/{keyword}/{i}", rules))) + ")";
        }

        if (!schema.TryGetProperty("type", out var type)) return Any(rules);
        if (type.ValueKind == JsonValueKind.Array)
            return "(" + string.Join(" | ", type.EnumerateArray().Select(t => Typed(t.GetString(), schema, path, rules))) + ")";
        return Typed(type.GetString(), schema, path, rules);
    }

    private static string Typed(string? type, JsonElement schema, string path, List<string> rules) => type switch
    {
        "object" => ObjectRule(schema, path, rules),
        "array" => ArrayRule(schema, path, rules),
        "string" => StringRule(schema, path),
        "integer" => IntegerRule(schema, path),
        "number" when schema.TryGetProperty("minimum", out _) || schema.TryGetProperty("maximum", out _)
            => throw Unsupported($"{path}/minimum", "bounds on a number cannot be enforced by a grammar; use an integer or drop them"),
        "number" => "number",
        "boolean" => "boolean",
        "null" => "null",
        _ => throw Unsupported($"{path}/type", $"'{type}' is not a JSON schema type"),
    };

    private static string ObjectRule(JsonElement schema, string path, List<string> rules)
    {
        if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
            return Any(rules);
        var required = schema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Select(e => e.GetString()).ToHashSet()
            : null;
        var parts = new List<string>();
        foreach (var property in properties.EnumerateObject())
        {
            if (required is not null && !required.Contains(property.Name)) continue;
            var value = Value(property.Value, $"{path}/properties/{property.Name}", rules);
            parts.Add($"{Quote(JsonSerializer.Serialize(property.Name))} ws \":\" ws {value}");
        }
        var name = $"obj{rules.Count}";
        var body = parts.Count == 0 ? "\"{\" ws \"}\"" : "\"{\" ws " + string.Join(" ws \",\" ws ", parts) + " ws \"}\"";
        rules.Add($"{name} ::= {body}");
        return name;
    }

    private static string ArrayRule(JsonElement schema, string path, List<string> rules)
    {
        var item = schema.TryGetProperty("items", out var items) ? Value(items, $"{path}/items", rules) : Any(rules);
        var min = schema.TryGetProperty("minItems", out var mi) ? mi.GetInt32() : 0;
        int? max = schema.TryGetProperty("maxItems", out var ma) ? ma.GetInt32() : null;
        if (min < 0 || max < min) throw Unsupported($"{path}/maxItems", "must be at least minItems");
        var name = $"arr{rules.Count}";
        string body;
        if (max == 0) body = "\"[\" ws \"]\"";
        else
        {
            var rest = max is { } m ? $"(ws \",\" ws {item}){{{Math.Max(0, min - 1)},{m - 1}}}" : $"(ws \",\" ws {item}){{{Math.Max(0, min - 1)},}}";
            var list = $"{item} {rest}";
            body = min == 0 ? $"\"[\" ws ({list})? ws \"]\"" : $"\"[\" ws {list} ws \"]\"";
        }
        rules.Add($"{name} ::= {body}");
        return name;
    }

    /// <summary>Integers, or with both bounds (at most 1000 apart) exactly the integers between them.</summary>
    private static string IntegerRule(JsonElement schema, string path)
    {
        var hasMin = schema.TryGetProperty("minimum", out var minimum);
        var hasMax = schema.TryGetProperty("maximum", out var maximum);
        if (!hasMin && !hasMax) return "integer";
        if (!hasMin || !hasMax || !minimum.TryGetInt64(out var low) || !maximum.TryGetInt64(out var high) || high < low || high - low > 1000)
            throw Unsupported($"{path}/minimum", "integer bounds are enforced only as a pair of integers at most 1000 apart");
        var values = new List<string>();
        for (var v = low; v <= high; v++) values.Add(Quote(v.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return "(" + string.Join(" | ", values) + ")";
    }

    private static string StringRule(JsonElement schema, string path)
    {
        var min = schema.TryGetProperty("minLength", out var mi) ? mi.GetInt32() : 0;
        int? max = schema.TryGetProperty("maxLength", out var ma) ? ma.GetInt32() : null;
        if (min < 0 || max < min) throw Unsupported($"{path}/maxLength", "must be at least minLength");
        if (schema.TryGetProperty("pattern", out var pattern))
            return "\"\\\"\" " + StringPattern.ToGbnf(pattern.GetString() ?? "", min, max, $"{path}/pattern") + " \"\\\"\"";
        if (min == 0 && max is null) return "string";
        return $"\"\\\"\" char{{{min},{(max is { } m ? m.ToString() : "")}}} \"\\\"\"";
    }

    private static string Any(List<string> rules)
    {
        const string name = "anyvalue";
        if (!rules.Any(r => r.StartsWith(name + " ", StringComparison.Ordinal)))
        {
            rules.Add($"{name} ::= anyobject | anyarray | string | number | boolean | null");
            rules.Add("anyobject ::= \"{\" ws (string ws \":\" ws anyvalue (ws \",\" ws string ws \":\" ws anyvalue)*)? ws \"}\"");
            rules.Add("anyarray ::= \"[\" ws (anyvalue (ws \",\" ws anyvalue)*)? ws \"]\"");
        }
        return name;
    }

    private static string Literal(JsonElement value) => Quote(value.GetRawText());

    /// <summary>A GBNF string literal that matches <paramref name="text"/> exactly.</summary>
    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";

    private static PoolRequestException Unsupported(string path, string message) => new("jsonSchema", $"{path}: {message}");
}
