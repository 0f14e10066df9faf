using Autopilot.Incidents.Health;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;
using Microsoft.Extensions.Logging;

namespace Autopilot.Incidents.Restore;

/// <summary>The weights when the restore began and the steps from there.</summary>
public sealed record RestorePlan(IReadOnlyList<BackendWeight> Start, IReadOnlyList<RestoreStep> Steps);

/// <summary>Result of a health check during a restore.</summary>
public sealed record RestoreHealth(bool Healthy, string Summary);

/// <summary>
/// The side-effecting steps of a progressive restore. Both orchestrators (the Dapr workflow's activities and the
/// in-process runner) call exactly these; every traffic change goes through the guardrail, so policy bounds
/// each step like any other change.
/// </summary>
public sealed class RestoreActivities(
    IGuardrailGateway guardrail,
    IWorkloadHealthSource health,
    HealthJudge judge,
    IIncidentDispatcher dispatcher,
    ILogger<RestoreActivities> logger)
{
    /// <summary>The steps from the route as it is now; Start is what compensation returns to before any step held.</summary>
    public async Task<RestorePlan> PlanAsync(RestoreRequest request, CancellationToken ct)
    {
        var start = (await guardrail.ReadRouteAsync(request.Route, ct)).Weights();
        return new RestorePlan(start, ProgressiveRestore.Plan(request, start));
    }

    public async Task<RestoreStepResult> ApplyStepAsync(RestoreRequest request, RestoreStep step, CancellationToken ct)
    {
        var weights = step.Weights.ToDictionary(w => w.Name, w => w.Weight, StringComparer.Ordinal);
        var proposal = new ShiftTraffic(request.Route.ToString(), weights,
            $"progressive restore of {request.CanaryBackend}: step {step.Index + 1}, {step.CanaryWeight}%");
        var decision = await guardrail.SubmitAsync(new ProposalSubmission(request.IncidentId, step.ChangeId, request.Route, proposal), ct);
        var applied = decision.Status == DecisionStatus.Applied;
        logger.LogInformation("Restore {RestoreId} step {Step}: {Canary}={Weight} → {Status}", request.RestoreId, step.Index + 1,
            request.CanaryBackend, step.CanaryWeight, decision.Status);
        return new RestoreStepResult(step.Index, step.CanaryWeight, step.ChangeId, decision.Status, applied,
            applied ? "applied" : $"{decision.Status}: {string.Join("; ", decision.Reasons)}");
    }

    public async Task<RestoreHealth> CheckHealthAsync(RestoreRequest request, CancellationToken ct)
    {
        try
        {
            var route = await guardrail.ReadRouteAsync(request.Route, ct);
            var snapshots = await health.ReadAsync(request.Workload, route, ct);
            var reading = HealthJudge.Read(snapshots);
            var canary = snapshots.FirstOrDefault(s => s.Version == request.CanaryBackend);
            // The incident's own bounds: a SOP stricter (or looser) than the defaults judges its restore too.
            var canaryHealthy = canary is null || judge.IsVersionHealthy(canary, request.Bounds);
            // The canary first: its own health is what the restore is about.
            var summary = canary is null
                ? reading.ToString()
                : $"{canary.Version} {HealthJudge.Read([canary])}; workload {reading}";
            return new RestoreHealth(judge.IsHealthy(reading, request.Bounds) && canaryHealthy, summary);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Without a reading the restore cannot show health holds, so it stops and compensates.
            logger.LogWarning(e, "Restore {RestoreId}: health unreadable", request.RestoreId);
            return new RestoreHealth(false, $"health unreadable: {e.Message}");
        }
    }

    /// <summary>Puts back the weights of the last step that was healthy (or those from before the restore).</summary>
    public async Task<string> CompensateAsync(RestoreRequest request, IReadOnlyList<BackendWeight> lastHealthy, CancellationToken ct)
    {
        var proposal = new ShiftTraffic(request.Route.ToString(), lastHealthy.ToDictionary(w => w.Name, w => w.Weight, StringComparer.Ordinal),
            $"restore of {request.CanaryBackend} failed: back to last healthy weights");
        var decision = await guardrail.SubmitAsync(
            new ProposalSubmission(request.IncidentId, ProgressiveRestore.CompensationChangeId(request), request.Route, proposal), ct);
        logger.LogWarning("Restore {RestoreId} compensated to {Weights}: {Status}", request.RestoreId,
            string.Join(" ", lastHealthy.Select(w => $"{w.Name}={w.Weight}")), decision.Status);
        return $"compensation {decision.Status}{(decision.Reasons.Count == 0 ? "" : ": " + string.Join("; ", decision.Reasons))}";
    }

    public Task ReportAsync(RestoreRequest request, RestoreOutcome outcome, CancellationToken ct) =>
        dispatcher.CompleteRestoreAsync(request.Workload, outcome, ct);
}
