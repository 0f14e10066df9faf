using System.Text.Json;
using Autopilot.Remediation.Routing;
using ModelContextProtocol.Protocol;

namespace Autopilot.Mcp.Tests;

public sealed class ReadOnlyToolsTests : ConnectedTests
{
    [Fact]
    public async Task Lists_only_read_only_tools()
    {
        var tools = await Client.ListToolsAsync();

        Assert.Equal(
            ["incident_detail", "incident_history", "route_state", "sop_search", "workload_health"],
            tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(tools, t =>
        {
            Assert.True(t.ProtocolTool.Annotations?.ReadOnlyHint, $"{t.Name} must be marked read-only");
            Assert.False(t.ProtocolTool.Annotations?.DestructiveHint ?? true, $"{t.Name} must not be destructive");
        });
    }

    [Fact]
    public async Task Workload_health_reads_the_route_through_the_guardrail_and_reports_no_data_as_NaN()
    {
        var result = await Client.CallToolAsync("workload_health", new Dictionary<string, object?> { ["workload"] = "shop/checkout" });

        Assert.NotEqual(true, result.IsError);
        using var json = JsonDocument.Parse(Text(result));
        var versions = json.RootElement.GetProperty("versions");
        Assert.Equal(2, versions.GetArrayLength());
        Assert.Equal(0.4, versions[1].GetProperty("errorRatio").GetDouble());
        // No data is the string "NaN", as the incident API writes it (JSON has no NaN number).
        Assert.Equal("NaN", versions[0].GetProperty("p99LatencyMs").GetString());
        Assert.Equal(0.001, versions[0].GetProperty("errorRatio").GetDouble());
        Assert.Equal(new RouteRef("shop", "checkout"), Assert.Single(Host.Guardrail.Reads));
    }

    [Fact]
    public async Task Route_state_returns_weights()
    {
        var result = await Client.CallToolAsync("route_state", new Dictionary<string, object?> { ["route"] = "shop/checkout" });

        Assert.NotEqual(true, result.IsError);
        Assert.Contains("checkout-v2", Text(result));
        Assert.Contains("\"resourceVersion\":\"42\"", Text(result));
    }

    [Fact]
    public async Task Incident_history_filters_by_workload()
    {
        var result = await Client.CallToolAsync("incident_history",
            new Dictionary<string, object?> { ["workload"] = "shop/checkout", ["openOnly"] = true });

        Assert.NotEqual(true, result.IsError);
        using var json = JsonDocument.Parse(Text(result));
        var incident = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("inc-1", incident.GetProperty("incidentId").GetString());
    }

    [Theory]
    [InlineData("workload_health", "workload", "checkout")]
    [InlineData("route_state", "route", "shop/checkout/extra")]
    [InlineData("incident_history", "workload", "no-slash")]
    public async Task Malformed_arguments_give_a_tool_error_naming_the_field(string tool, string field, string value)
    {
        var result = await Client.CallToolAsync(tool, new Dictionary<string, object?> { [field] = value });

        Assert.True(result.IsError);
        Assert.Contains(field + ":", Text(result));
        Assert.Empty(Host.Guardrail.Reads);
    }

    [Fact]
    public async Task Sop_search_reports_scores_and_reasons()
    {
        var result = await Client.CallToolAsync("sop_search",
            new Dictionary<string, object?> { ["text"] = "canary errors", ["alertName"] = "CanaryHighErrorRate" });

        Assert.NotEqual(true, result.IsError);
        using var json = JsonDocument.Parse(Text(result));
        var hit = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal("canary-high-error-rate", hit.GetProperty("id").GetString());
        Assert.Contains("alertname CanaryHighErrorRate", hit.GetProperty("reasons")[0].GetString());
    }

}
