using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Restore;
using Autopilot.Remediation.Routing;
using Dapr.Workflow;

namespace Autopilot.Actors.Restore;

/// <summary>
/// The progressive restore as a Dapr workflow: <see cref="ProgressiveRestore.RunAsync"/> with every side effect
/// an activity and every wait a durable timer, so a restore survives restarts of the app.
/// </summary>
public sealed class ProgressiveRestoreWorkflow : Workflow<RestoreRequest, RestoreOutcome>
{
    public override Task<RestoreOutcome> RunAsync(WorkflowContext context, RestoreRequest input) =>
        ProgressiveRestore.RunAsync(new WorkflowSteps(context), input);

    private sealed class WorkflowSteps(WorkflowContext context) : IRestoreSteps
    {
        public Task<RestorePlan> PlanAsync(RestoreRequest request) =>
            context.CallActivityAsync<RestorePlan>(nameof(PlanRestoreActivity), request);

        public Task<RestoreStepResult> ApplyStepAsync(RestoreRequest request, RestoreStep step) =>
            context.CallActivityAsync<RestoreStepResult>(nameof(ApplyRestoreStepActivity), new RestoreStepInput(request, step));

        public Task WaitAsync(TimeSpan delay) => delay <= TimeSpan.Zero ? Task.CompletedTask : context.CreateTimer(delay);

        public Task<RestoreHealth> CheckHealthAsync(RestoreRequest request) =>
            context.CallActivityAsync<RestoreHealth>(nameof(CheckRestoreHealthActivity), request);

        public Task<string> CompensateAsync(RestoreRequest request, IReadOnlyList<BackendWeight> lastHealthy) =>
            context.CallActivityAsync<string>(nameof(CompensateRestoreActivity), new RestoreCompensationInput(request, lastHealthy));

        public Task ReportAsync(RestoreRequest request, RestoreOutcome outcome) =>
            context.CallActivityAsync<bool>(nameof(ReportRestoreActivity), new RestoreReport(request, outcome));
    }
}

public sealed record RestoreStepInput(RestoreRequest Request, RestoreStep Step);

public sealed record RestoreCompensationInput(RestoreRequest Request, IReadOnlyList<BackendWeight> LastHealthy);

public sealed record RestoreReport(RestoreRequest Request, RestoreOutcome Outcome);

public sealed class PlanRestoreActivity(RestoreActivities activities) : WorkflowActivity<RestoreRequest, RestorePlan>
{
    public override Task<RestorePlan> RunAsync(WorkflowActivityContext context, RestoreRequest input) =>
        activities.PlanAsync(input, CancellationToken.None);
}

public sealed class ApplyRestoreStepActivity(RestoreActivities activities) : WorkflowActivity<RestoreStepInput, RestoreStepResult>
{
    public override Task<RestoreStepResult> RunAsync(WorkflowActivityContext context, RestoreStepInput input) =>
        activities.ApplyStepAsync(input.Request, input.Step, CancellationToken.None);
}

public sealed class CheckRestoreHealthActivity(RestoreActivities activities) : WorkflowActivity<RestoreRequest, RestoreHealth>
{
    public override Task<RestoreHealth> RunAsync(WorkflowActivityContext context, RestoreRequest input) =>
        activities.CheckHealthAsync(input, CancellationToken.None);
}

public sealed class CompensateRestoreActivity(RestoreActivities activities) : WorkflowActivity<RestoreCompensationInput, string>
{
    public override Task<string> RunAsync(WorkflowActivityContext context, RestoreCompensationInput input) =>
        activities.CompensateAsync(input.Request, input.LastHealthy, CancellationToken.None);
}

public sealed class ReportRestoreActivity(RestoreActivities activities) : WorkflowActivity<RestoreReport, bool>
{
    public override async Task<bool> RunAsync(WorkflowActivityContext context, RestoreReport input)
    {
        await activities.ReportAsync(input.Request, input.Outcome, CancellationToken.None);
        return true;
    }
}
