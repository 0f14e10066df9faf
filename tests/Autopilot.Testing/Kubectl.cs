using System.Diagnostics;

namespace Autopilot.Testing;

/// <summary>The real kubectl (the Debian package the test command installs), run offline or against a test server.</summary>
public static class Kubectl
{
    /// <summary>Runs kubectl with <paramref name="arguments"/>; exit code, standard output and standard error.</summary>
    public static (int ExitCode, string Output, string Error) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // No user kubeconfig may change what a test sees.
        start.Environment["KUBECONFIG"] = Path.Combine(Path.GetTempPath(), "autopilot-tests-no-kubeconfig");
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start kubectl (the test command installs it)");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, errors.Result);
    }
}
