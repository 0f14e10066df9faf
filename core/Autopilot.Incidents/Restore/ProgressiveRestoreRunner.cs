using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Routing;

namespace Autopilot.Incidents.Restore;

/// <summary>
/// Runs a progressive restore in-process (the stand-alone orchestrator): <see cref="ProgressiveRestore.RunAsync"/>
/// over <see cref="RestoreActivities"/> with TimeProvider delays. The Dapr host runs the same sequence as a workflow.
/// </summary>
public sealed class ProgressiveRestoreRunner(RestoreActivities activities, TimeProvider time)
{
    public Task<RestoreOutcome> RunAsync(RestoreRequest request, CancellationToken ct) =>
        ProgressiveRestore.RunAsync(new InProcessSteps(activities, time, ct), request);

    private sealed class InProcessSteps(RestoreActivities activities, TimeProvider time, CancellationToken ct) : IRestoreSteps
    {
        public Task<RestorePlan> PlanAsync(RestoreRequest request) => activities.PlanAsync(request, ct);

        public Task<RestoreStepResult> ApplyStepAsync(RestoreRequest request, RestoreStep step) => activities.ApplyStepAsync(request, step, ct);

        public Task WaitAsync(TimeSpan delay) => delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, time, ct);

        public Task<RestoreHealth> CheckHealthAsync(RestoreRequest request) => activities.CheckHealthAsync(request, ct);

        public Task<string> CompensateAsync(RestoreRequest request, IReadOnlyList<BackendWeight> lastHealthy) =>
            activities.CompensateAsync(request, lastHealthy, ct);

        public Task ReportAsync(RestoreRequest request, RestoreOutcome outcome) => activities.ReportAsync(request, outcome, ct);
    }
}
