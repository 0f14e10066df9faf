using System.Text.Json;

namespace Autopilot.Mcp.Tests;

/// <summary>What an agent reads in tools/list is enough to call the tools right: constraints in the schema, not prose.</summary>
public sealed class ToolSchemaTests : ConnectedTests
{
    private async Task<Dictionary<string, JsonElement>> InputSchemasAsync() =>
        (await Client.ListToolsAsync()).ToDictionary(t => t.Name, t => t.ProtocolTool.InputSchema);

    [Theory]
    [InlineData("incident_history", "limit", 1, AutopilotReadTools.MaxIncidents)]
    [InlineData("sop_search", "top", 1, AutopilotReadTools.MaxSops)]
    public async Task Ranges_are_minimum_and_maximum(string tool, string argument, int minimum, int maximum)
    {
        var schema = (await InputSchemasAsync())[tool].GetProperty("properties").GetProperty(argument);

        Assert.Equal("integer", schema.GetProperty("type").GetString());
        Assert.Equal(minimum, schema.GetProperty("minimum").GetInt32());
        Assert.Equal(maximum, schema.GetProperty("maximum").GetInt32());
    }

    [Theory]
    [InlineData("workload_health", "workload", AutopilotReadTools.NamespacedName)]
    [InlineData("route_state", "route", AutopilotReadTools.NamespacedName)]
    [InlineData("incident_history", "workload", AutopilotReadTools.OptionalNamespacedName)]
    public async Task Namespaced_names_carry_their_pattern(string tool, string argument, string pattern) =>
        Assert.Equal(pattern, (await InputSchemasAsync())[tool].GetProperty("properties").GetProperty(argument).GetProperty("pattern").GetString());

    [Fact]
    public async Task Sop_search_requires_neither_text_nor_alert_name()
    {
        var required = (await InputSchemasAsync())["sop_search"].TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()).ToList() : [];

        Assert.Empty(required);
    }

    [Fact]
    public async Task No_input_type_is_nullable()
    {
        // Some model providers reject a type list such as ["string","null"] in a tool's parameters.
        var types = (await InputSchemasAsync()).Values.SelectMany(s => s.GetProperty("properties").EnumerateObject())
            .Select(p => (p.Name, Type: p.Value.GetProperty("type"))).ToList();

        Assert.NotEmpty(types);
        Assert.All(types, t => Assert.True(t.Type.ValueKind == JsonValueKind.String, $"{t.Name} has type {t.Type}"));
    }

    [Fact]
    public async Task Every_tool_has_an_output_schema_and_answers_with_structured_content()
    {
        var tools = await Client.ListToolsAsync();
        Assert.All(tools, t => Assert.NotNull(t.ProtocolTool.OutputSchema));

        var result = await Client.CallToolAsync("route_state", new Dictionary<string, object?> { ["route"] = "shop/checkout" });

        Assert.Equal("42", result.StructuredContent?.GetProperty("resourceVersion").GetString());
    }
}
