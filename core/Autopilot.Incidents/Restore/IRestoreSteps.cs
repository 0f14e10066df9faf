using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Routing;

namespace Autopilot.Incidents.Restore;

/// <summary>
/// How an orchestrator performs the steps of a restore: directly in-process (<see cref="ProgressiveRestoreRunner"/>)
/// or as Dapr workflow activities and durable timers. The sequence itself is <see cref="ProgressiveRestore.RunAsync"/>.
/// </summary>
public interface IRestoreSteps
{
    Task<RestorePlan> PlanAsync(RestoreRequest request);

    Task<RestoreStepResult> ApplyStepAsync(RestoreRequest request, RestoreStep step);

    Task WaitAsync(TimeSpan delay);

    Task<RestoreHealth> CheckHealthAsync(RestoreRequest request);

    Task<string> CompensateAsync(RestoreRequest request, IReadOnlyList<BackendWeight> lastHealthy);

    Task ReportAsync(RestoreRequest request, RestoreOutcome outcome);
}
