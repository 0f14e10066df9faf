using System.Diagnostics.Metrics;
using Autopilot.Incidents.Telemetry;
using Autopilot.Standalone.InProcessRuntime;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Autopilot.Standalone.Hosting;

/// <summary>
/// What happens around a quarantined state file: an error log line naming the file and where it went, the counter
/// "autopilot.state.quarantined" (by area), and /readyz unhealthy, naming the files, until an operator has inspected
/// and deleted every file in the quarantine folder. The key it belonged to has started afresh meanwhile, so only that
/// workload's incident (or that route's guardrail) lost its state; readiness is how a human hears about it.
/// </summary>
public sealed class StateQuarantineCheck : IHealthCheck
{
    public const string Name = "state-files";

    private readonly StateDirectory _directory;
    private readonly ILogger _logger;
    private readonly Counter<long> _quarantined;

    public StateQuarantineCheck(StateDirectory directory, IMeterFactory meters, ILogger<StateQuarantineCheck> logger)
    {
        _directory = directory;
        _logger = logger;
        // The loop's meter (same name, so the factory hands out the same Meter): dashboards collect one meter.
        _quarantined = meters.Create(LoopTelemetry.Name).CreateCounter<long>("autopilot.state.quarantined",
            description: "State or audit files moved to the quarantine folder because they could not be read, by area.");
        directory.Quarantined += OnQuarantined;
    }

    private void OnQuarantined(QuarantinedFile file)
    {
        var area = Path.GetFileName(Path.GetDirectoryName(file.Path)) ?? "";
        _quarantined.Add(1, new KeyValuePair<string, object?>("area", area));
        _logger.LogError("State file {File} could not be read ({Reason}); moved it to {MovedTo}. Its key starts afresh; " +
                         "inspect the file, then delete it to make /readyz ready again.", file.Path, file.Reason, file.MovedTo);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var files = _directory.QuarantinedFiles();
        return Task.FromResult(files.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy(
                $"{files.Count} state file(s) could not be read and were quarantined under {_directory.Root} (their keys started afresh); " +
                $"inspect, then delete: {string.Join(", ", files)}"));
    }
}
