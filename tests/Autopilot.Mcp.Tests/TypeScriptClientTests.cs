using System.Diagnostics;
using System.Text.Json;

namespace Autopilot.Mcp.Tests;

/// <summary>
/// An independent client: the official TypeScript SDK (ts-client/, installed by `npm ci` there; ./autopilot test
/// does it) lists every tool and calls each with valid arguments and with one bad argument, over streamable HTTP and
/// over the legacy HTTP+SSE transport. Its callTool checks structured output against the tool's outputSchema itself.
/// </summary>
public sealed class TypeScriptClientTests
{
    private static readonly string[] Tools = ["incident_detail", "incident_history", "route_state", "sop_search", "workload_health"];

    [Fact]
    public async Task Streamable_http_client_lists_and_calls_every_tool()
    {
        await using var host = await McpTestHost.StartAsync();

        AssertEveryToolWorks(await RunClientAsync(host.Endpoint.ToString(), "streamable"));
    }

    [Fact]
    public async Task Legacy_sse_client_lists_and_calls_every_tool_when_enabled()
    {
        await using var host = await McpTestHost.StartAsync(legacySse: true);

        AssertEveryToolWorks(await RunClientAsync(host.Endpoint + "/sse", "sse"));
    }

    private static void AssertEveryToolWorks(JsonElement report)
    {
        var tools = report.GetProperty("tools").EnumerateArray().ToList();
        Assert.Equal(Tools, tools.Select(t => t.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.All(tools, tool =>
        {
            var name = tool.GetProperty("name").GetString();
            Assert.Equal(JsonValueKind.Object, tool.GetProperty("inputSchema").ValueKind);
            Assert.Equal("object", tool.GetProperty("outputSchema").GetProperty("type").GetString());

            var valid = tool.GetProperty("valid");
            Assert.False(valid.TryGetProperty("thrown", out var thrown), $"{name}: {thrown}");
            Assert.False(valid.GetProperty("isError").GetBoolean(), $"{name}: {valid.GetProperty("text")}");
            Assert.True(valid.GetProperty("hasStructuredContent").GetBoolean(), $"{name} answered without structured content");

            var bad = tool.GetProperty("bad");
            Assert.False(bad.TryGetProperty("thrown", out thrown), $"{name}: {thrown}");
            Assert.True(bad.GetProperty("isError").GetBoolean(), $"{name} accepted a bad argument");
            Assert.StartsWith(tool.GetProperty("badArgument").GetString() + ": ", bad.GetProperty("text").GetString());
        });
    }

    private static async Task<JsonElement> RunClientAsync(string endpoint, string transport)
    {
        var folder = ClientFolder();
        Assert.True(Directory.Exists(Path.Combine(folder, "node_modules", "@modelcontextprotocol", "sdk")),
            $"the TypeScript SDK is not installed: run `npm ci` in {folder} (./autopilot test does)");
        var start = new ProcessStartInfo("node", ["list-and-call.mjs", endpoint, transport])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a hung client fails, never hangs the run
        await node.WaitForExitAsync(timeout.Token);
        Assert.True(node.ExitCode == 0, $"node exited {node.ExitCode}: {await stderr}");
        return JsonDocument.Parse(await stdout).RootElement.Clone();
    }

    /// <summary>tests/Autopilot.Mcp.Tests/ts-client, found from the test binary's folder upwards.</summary>
    private static string ClientFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Autopilot.Mcp.Tests", "ts-client");
            if (File.Exists(Path.Combine(candidate, "list-and-call.mjs"))) return candidate;
        }
        throw new DirectoryNotFoundException("tests/Autopilot.Mcp.Tests/ts-client not found above " + AppContext.BaseDirectory);
    }
}
