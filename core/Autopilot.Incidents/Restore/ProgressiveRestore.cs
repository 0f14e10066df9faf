using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Routing;

namespace Autopilot.Incidents.Restore;

/// <summary>One step of a restore: the weights to set on the route's managed rule.</summary>
public sealed record RestoreStep(int Index, int CanaryWeight, IReadOnlyList<BackendWeight> Weights, string ChangeId);

/// <summary>
/// The portable plan of a progressive restore, shared by the Dapr workflow and the in-process runner: the step
/// weights (a percentage of the canary's original weight each, other backends untouched, the stable backend
/// taking the rest) and the ids that make every step idempotent.
/// </summary>
public static class ProgressiveRestore
{
    public static IReadOnlyList<RestoreStep> Plan(RestoreRequest request, IReadOnlyList<BackendWeight> current)
    {
        if (!current.Any(w => w.Name == request.StableBackend))
            throw new InvalidOperationException($"Route {request.Route} has no backend {request.StableBackend} (stable).");
        if (!current.Any(w => w.Name == request.CanaryBackend))
            throw new InvalidOperationException($"Route {request.Route} has no backend {request.CanaryBackend} (canary).");

        var others = current.Where(w => w.Name != request.StableBackend && w.Name != request.CanaryBackend).Sum(w => w.Weight);
        var startWeight = current.First(w => w.Name == request.CanaryBackend).Weight;
        var steps = new List<RestoreStep>();
        var previous = startWeight;
        foreach (var percent in request.StepPercents)
        {
            var canary = (int)Math.Round(request.OriginalCanaryWeight * percent / 100.0, MidpointRounding.AwayFromZero);
            canary = Math.Clamp(canary, 0, 100 - others);
            if (canary <= previous) continue; // never step backwards or repeat a weight already in place
            var weights = current
                .Select(w => w.Name == request.CanaryBackend ? w with { Weight = canary }
                    : w.Name == request.StableBackend ? w with { Weight = 100 - others - canary }
                    : w)
                .ToList();
            steps.Add(new RestoreStep(steps.Count, canary, weights, StepChangeId(request, steps.Count)));
            previous = canary;
        }
        return steps;
    }

    /// <summary>
    /// The restore sequence, written once for every orchestrator: apply a step, let it settle, check health; when
    /// a step is refused or unhealthy put back the last healthy weights (compensation) and stop; report the
    /// outcome to the incident. Deterministic given the step results, as a Dapr workflow must be.
    /// </summary>
    public static async Task<RestoreOutcome> RunAsync(IRestoreSteps steps, RestoreRequest request)
    {
        var outcome = await ExecuteAsync(steps, request);
        await steps.ReportAsync(request, outcome);
        return outcome;
    }

    private static async Task<RestoreOutcome> ExecuteAsync(IRestoreSteps steps, RestoreRequest request)
    {
        RestorePlan plan;
        try
        {
            plan = await steps.PlanAsync(request);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new RestoreOutcome(request.RestoreId, request.IncidentId, false, [], $"could not plan the restore: {e.Message}");
        }

        var lastHealthy = plan.Start;
        var results = new List<RestoreStepResult>();
        foreach (var step in plan.Steps)
        {
            var result = await steps.ApplyStepAsync(request, step);
            if (result.Status == DecisionStatus.Applied)
            {
                await steps.WaitAsync(request.SettleDelay);
                var health = await steps.CheckHealthAsync(request);
                result = result with { Healthy = health.Healthy, Summary = health.Summary };
            }
            results.Add(result);
            if (!result.Healthy)
            {
                var compensation = await steps.CompensateAsync(request, lastHealthy);
                return new RestoreOutcome(request.RestoreId, request.IncidentId, false, results,
                    $"step {step.Index + 1} ({step.CanaryWeight}%) failed: {result.Summary}; {compensation}");
            }
            lastHealthy = step.Weights;
        }
        return new RestoreOutcome(request.RestoreId, request.IncidentId, true, results, null);
    }

    public static string StepChangeId(RestoreRequest request, int index) => $"{request.RestoreId}.step{index + 1}";

    public static string CompensationChangeId(RestoreRequest request) => $"{request.RestoreId}.compensate";

    public static string Summarise(IReadOnlyList<RestoreStepResult> steps) =>
        steps.Count == 0 ? "no steps" : string.Join(" → ", steps.Select(s => $"{s.CanaryWeight}%{(s.Healthy ? "" : " (unhealthy)")}"));

    /// <summary>Each step with the health it was judged by, for the incident's timeline.</summary>
    public static string Describe(IReadOnlyList<RestoreStepResult> steps) =>
        steps.Count == 0 ? "no steps" : string.Join(" → ", steps.Select(s => $"{s.CanaryWeight}% ({s.Summary})"));
}
