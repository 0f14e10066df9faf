using System.Diagnostics;
using System.Text.Json;

namespace Autopilot.Testing;

/// <summary>
/// An independent MCP client: the official TypeScript SDK, run by node from tests/Autopilot.Mcp.Tests/ts-client
/// (`npm ci` there; ./autopilot test does it). Its script lists every tool and calls each with valid arguments and with
/// one bad argument; the SDK's callTool itself checks a result's structured content against the tool's outputSchema.
/// </summary>
public static class TypeScriptMcpClient
{
    public static string Folder { get; } = Repo.PathOf("tests", "Autopilot.Mcp.Tests", "ts-client");

    /// <summary>The script's report for <paramref name="endpoint"/> over "streamable" or "sse" (the legacy transport).</summary>
    public static async Task<JsonElement> ListAndCallAsync(Uri endpoint, string transport)
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "@modelcontextprotocol", "sdk")))
            throw new InvalidOperationException($"The TypeScript MCP SDK is not installed: run `npm ci` in {Repo.Relative(Folder)} (./autopilot test does).");
        var start = new ProcessStartInfo("node", ["list-and-call.mjs", endpoint.ToString(), transport])
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        using var hung = new CancellationTokenSource(TimeSpan.FromMinutes(2)); // a hung client fails the test, never the run
        await node.WaitForExitAsync(hung.Token);
        if (node.ExitCode != 0) throw new InvalidOperationException($"node list-and-call.mjs exited {node.ExitCode}: {await stderr}");
        return JsonDocument.Parse(await stdout).RootElement.Clone();
    }

    /// <summary>What is wrong in a report, one line per tool and problem: a tool missing or extra, no output schema,
    /// a valid call that failed or lacked structured content, a bad call accepted or answered without naming the
    /// argument. Empty when every tool works.</summary>
    public static IReadOnlyList<string> Problems(JsonElement report, IEnumerable<string> expectedTools)
    {
        var problems = new List<string>();
        var tools = report.GetProperty("tools").EnumerateArray().ToList();
        var names = tools.Select(t => t.GetProperty("name").GetString()!).ToList();
        problems.AddRange(expectedTools.Except(names).Select(t => $"{t}: not listed"));
        problems.AddRange(names.Except(expectedTools).Select(t => $"{t}: listed but not expected"));
        foreach (var tool in tools)
        {
            var name = tool.GetProperty("name").GetString();
            if (tool.GetProperty("inputSchema").ValueKind != JsonValueKind.Object) problems.Add($"{name}: no input schema");
            if (tool.GetProperty("outputSchema").ValueKind != JsonValueKind.Object) problems.Add($"{name}: no output schema");

            var valid = tool.GetProperty("valid");
            if (valid.TryGetProperty("thrown", out var thrown)) problems.Add($"{name}: the valid call threw: {thrown}");
            else if (valid.GetProperty("isError").GetBoolean()) problems.Add($"{name}: the valid call failed: {valid.GetProperty("text")}");
            else if (!valid.GetProperty("hasStructuredContent").GetBoolean()) problems.Add($"{name}: the valid call has no structured content");

            var bad = tool.GetProperty("bad");
            var argument = tool.GetProperty("badArgument").GetString();
            if (bad.TryGetProperty("thrown", out thrown)) problems.Add($"{name}: the bad call threw: {thrown}");
            else if (!bad.GetProperty("isError").GetBoolean()) problems.Add($"{name}: the bad call ({argument}) was accepted");
            else if (!bad.GetProperty("text").GetString()!.StartsWith(argument + ": ", StringComparison.Ordinal))
                problems.Add($"{name}: the bad call's error does not name {argument}: {bad.GetProperty("text")}");
        }
        return problems;
    }
}
