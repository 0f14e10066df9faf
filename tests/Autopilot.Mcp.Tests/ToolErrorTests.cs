using ModelContextProtocol.Protocol;

namespace Autopilot.Mcp.Tests;

/// <summary>A call that cannot be answered says why, as a tool error an agent can act on: which argument and what
/// would be valid, or which backend did not answer; never only the SDK's "An error occurred invoking '…'".</summary>
public sealed class ToolErrorTests : ConnectedTests
{
    [Theory]
    [InlineData("workload_health", "{}", "workload: required; give a string matching")]
    [InlineData("incident_detail", "{}", "incidentId: required")]
    [InlineData("incident_history", """{"limit":"ten"}""", "limit: 'ten' is not an integer; give an integer from 1 to 200")]
    [InlineData("incident_history", """{"limit":500}""", "limit: 500 is above the maximum 200")]
    [InlineData("incident_history", """{"openOnly":"yes"}""", "openOnly: 'yes' is not a boolean")]
    [InlineData("sop_search", """{"top":0}""", "top: 0 is below the minimum 1; give an integer from 1 to 10")]
    [InlineData("route_state", """{"route":7}""", "route: 7 is not a string")]
    [InlineData("route_state", """{"route":"shop/checkout","namespace":"x"}""", "namespace: not an argument of this tool; its arguments are route")]
    public async Task A_missing_or_mistyped_argument_is_named_with_what_is_valid(string tool, string arguments, string expected)
    {
        var result = await CallAsync(tool, arguments);

        Assert.True(result.IsError);
        Assert.StartsWith(expected, Text(result));
        Assert.DoesNotContain("An error occurred invoking", Text(result));
        Assert.Empty(Host.Guardrail.Reads);
    }

    [Fact]
    public async Task Sop_search_with_neither_text_nor_alert_name_says_to_give_one()
    {
        var result = await CallAsync("sop_search", "{}");

        Assert.True(result.IsError);
        Assert.Equal("text: give search text or an alertName (or both).", Text(result));
    }

    [Fact]
    public async Task An_unknown_incident_is_named()
    {
        var result = await CallAsync("incident_detail", """{"incidentId":"inc-404"}""");

        Assert.True(result.IsError);
        Assert.Equal("incidentId: no incident 'inc-404'; incident_history lists the ids.", Text(result));
    }

    [Fact]
    public async Task An_unreachable_backend_is_named_and_the_arguments_called_valid()
    {
        Host.Guardrail.Unreachable = true;

        var result = await CallAsync("route_state", """{"route":"shop/checkout"}""");

        Assert.True(result.IsError);
        Assert.Equal("the guardrail could not answer (HttpRequestException: Connection refused (autopilot-gateway-bridge:5070)); "
            + "the arguments were valid, try again later.", Text(result));
    }

    private async Task<CallToolResult> CallAsync(string tool, string argumentsJson) =>
        await Client.CallToolAsync(tool, System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, object?>>(argumentsJson)!);

}
