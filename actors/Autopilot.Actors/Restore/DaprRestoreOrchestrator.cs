using Autopilot.Incidents.Ports;
using Dapr.Workflow;
using Microsoft.Extensions.Logging;

namespace Autopilot.Actors.Restore;

/// <summary><see cref="IRestoreOrchestrator"/> that schedules <see cref="ProgressiveRestoreWorkflow"/> with the
/// restore id as the workflow instance id, so a repeated start finds the running instance instead of a second one.</summary>
public sealed class DaprRestoreOrchestrator(DaprWorkflowClient workflows, ILogger<DaprRestoreOrchestrator> logger) : IRestoreOrchestrator
{
    public async Task StartAsync(RestoreRequest request, CancellationToken ct)
    {
        var existing = await workflows.GetWorkflowStateAsync(request.RestoreId, getInputsAndOutputs: false, ct);
        if (existing is { Exists: true })
        {
            logger.LogInformation("Restore {RestoreId} already scheduled ({Status})", request.RestoreId, existing.RuntimeStatus);
            return;
        }
        await workflows.ScheduleNewWorkflowAsync(nameof(ProgressiveRestoreWorkflow), request.RestoreId, request, startTime: null, ct);
        logger.LogInformation("Scheduled restore {RestoreId} of {Canary} on {Route}", request.RestoreId, request.CanaryBackend, request.Route);
    }
}
