using Autopilot.Testing;

namespace Autopilot.Mcp.Tests;

/// <summary>The official TypeScript MCP client (<see cref="TypeScriptMcpClient"/>) lists and calls every tool over
/// streamable HTTP, and over the legacy HTTP+SSE transport when Autopilot:Mcp:LegacySse is on.</summary>
public sealed class TypeScriptClientTests
{
    private static readonly string[] Tools = ["incident_detail", "incident_history", "route_state", "sop_search", "workload_health"];

    [Fact]
    public async Task Streamable_http_client_lists_and_calls_every_tool()
    {
        await using var host = await McpTestHost.StartAsync();

        var report = await TypeScriptMcpClient.ListAndCallAsync(host.Endpoint, "streamable");

        var problems = TypeScriptMcpClient.Problems(report, Tools);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task Legacy_sse_client_lists_and_calls_every_tool_when_enabled()
    {
        await using var host = await McpTestHost.StartAsync(("Autopilot:Mcp:LegacySse", "true"));

        var report = await TypeScriptMcpClient.ListAndCallAsync(new Uri(host.Endpoint + "/sse"), "sse");

        var problems = TypeScriptMcpClient.Problems(report, Tools);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
