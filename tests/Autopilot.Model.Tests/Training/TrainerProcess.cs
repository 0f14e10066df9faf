using System.Diagnostics;
using System.Text.Json;

namespace Autopilot.Model.Tests.Training;

/// <summary>What one run of the trainer child process printed and returned.</summary>
public sealed record TrainerRun(int ExitCode, IReadOnlyList<JsonElement> Events, string StandardError)
{
    public IEnumerable<JsonElement> OfType(string name) => Events.Where(e => e.GetProperty("event").GetString() == name);

    public JsonElement Single(string name) => OfType(name).Single();

    public override string ToString() =>
        $"exit {ExitCode}\nstdout:\n{string.Join("\n", Events.Select(e => e.GetRawText()))}\nstderr:\n{StandardError}";
}

/// <summary>
/// Runs autopilot-trainer the way the product does: as a child process (<c>dotnet autopilot-trainer.dll ...</c>).
/// Every stdout line must be a JSON object with an "event": that is the protocol with the parent.
/// </summary>
public static class TrainerProcess
{
    private static readonly Lazy<string> Dll = new(FindDll);

    public static TrainerRun Run(params string[] args) => Run(TimeSpan.FromSeconds(90), args);

    public static TrainerRun Run(TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll.Value);
        foreach (var arg in args) start.ArgumentList.Add(arg);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"autopilot-trainer {string.Join(' ', args)} ran longer than {timeout}");
        }
        process.WaitForExit();

        var events = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var element = JsonDocument.Parse(line).RootElement.Clone();
            Assert.True(element.TryGetProperty("event", out _), $"stdout line without an event: {line}");
            return element;
        }).ToList();
        return new TrainerRun(process.ExitCode, events, stderr.Result);
    }

    /// <summary>
    /// The ProjectReference copies the trainer (with its runtimeconfig, deps and native runtimes) next to the test
    /// assembly; a build of the trainer project itself is the fallback.
    /// </summary>
    private static string FindDll()
    {
        const string name = "autopilot-trainer.dll";
        var beside = Path.Combine(AppContext.BaseDirectory, name);
        if (File.Exists(beside)) return beside;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var project = Path.Combine(directory.FullName, "model", "Autopilot.Training", "bin");
            if (!Directory.Exists(project)) continue;
            var built = Directory.GetFiles(project, name, SearchOption.AllDirectories)
                .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
            if (built is not null) return built;
        }
        throw new FileNotFoundException($"{name} is neither next to the tests nor under model/Autopilot.Training/bin; build the trainer first.");
    }
}
