using Autopilot.Incidents.Ports;

namespace Autopilot.Incidents.Restore;

/// <summary>
/// Runs a progressive restore in-process (the stand-alone orchestrator, and the reference the Dapr workflow
/// mirrors with activities and durable timers): apply a step, wait SettleDelay, check health; on a failed step
/// put back the last healthy weights; report the outcome to the incident.
/// </summary>
public sealed class ProgressiveRestoreRunner(RestoreActivities activities, TimeProvider time)
{
    public async Task<RestoreOutcome> RunAsync(RestoreRequest request, CancellationToken ct)
    {
        var outcome = await ExecuteAsync(request, ct);
        await activities.ReportAsync(request, outcome, ct);
        return outcome;
    }

    private async Task<RestoreOutcome> ExecuteAsync(RestoreRequest request, CancellationToken ct)
    {
        RestorePlan plan;
        try
        {
            plan = await activities.PlanAsync(request, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new RestoreOutcome(request.RestoreId, request.IncidentId, false, [], $"could not plan the restore: {e.Message}");
        }

        var lastHealthy = plan.Start;
        var results = new List<RestoreStepResult>();
        foreach (var step in plan.Steps)
        {
            var result = await activities.ApplyStepAsync(request, step, ct);
            if (result.Status == DecisionStatus.Applied)
            {
                await Task.Delay(request.SettleDelay, time, ct);
                var health = await activities.CheckHealthAsync(request, ct);
                result = result with { Healthy = health.Healthy, Summary = health.Summary };
            }
            results.Add(result);
            if (!result.Healthy)
            {
                var compensation = await activities.CompensateAsync(request, lastHealthy, ct);
                return new RestoreOutcome(request.RestoreId, request.IncidentId, false, results,
                    $"step {step.Index + 1} ({step.CanaryWeight}%) failed: {result.Summary}; {compensation}");
            }
            lastHealthy = step.Weights;
        }
        return new RestoreOutcome(request.RestoreId, request.IncidentId, true, results, null);
    }
}
