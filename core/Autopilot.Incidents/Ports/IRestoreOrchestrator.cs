namespace Autopilot.Incidents.Ports;

/// <summary>
/// Starts a progressive restore (<see cref="Restore.ProgressiveRestore"/>). Dapr: DaprWorkflowClient schedules
/// ProgressiveRestoreWorkflow; stand-alone: an in-process runner over the same steps. Idempotent per
/// RestoreRequest.RestoreId. When it finishes the orchestrator reports through
/// <see cref="IIncidentDispatcher.CompleteRestoreAsync"/>.
/// </summary>
public interface IRestoreOrchestrator
{
    Task StartAsync(RestoreRequest request, CancellationToken ct);
}
