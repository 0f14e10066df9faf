using System.Diagnostics;

namespace Autopilot.Deployment.Tests.Support;

/// <summary>Runs the Prometheus/Alertmanager command-line checkers (Debian packages prometheus, prometheus-alertmanager).</summary>
public static class Tools
{
    public static string Locate(string binary, string debianPackage)
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin")
            .Select(dir => Path.Combine(dir, binary));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                $"'{binary}' is not on PATH. Install the Debian package '{debianPackage}' " +
                $"(apt-get install -y {debianPackage}); `./autopilot test` installs it when missing.");
    }

    public static (int ExitCode, string Output) Run(string binary, IEnumerable<string> arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(binary)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {binary}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{binary} {string.Join(' ', start.ArgumentList)} did not finish in 60 s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
