using System.Text.Json;
using Autopilot.Actors.Restore;
using Autopilot.Actors.Tests.Support;
using Autopilot.Incidents.Health;
using Autopilot.Incidents.Loop;
using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Restore;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Incidents;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.Actors.Tests.Restore;

/// <summary>The Dapr workflow over its activities, against the real guardrail, bridge and incident actor.</summary>
public sealed class ProgressiveRestoreWorkflowTests : IAsyncLifetime
{
    private LoopHarness _loop = null!;

    public async Task InitializeAsync() => _loop = await LoopHarness.StartAsync();

    public async Task DisposeAsync() => await _loop.DisposeAsync();

    private WorkflowContextDouble Context()
    {
        var activities = _loop.Services.GetRequiredService<RestoreActivities>();
        return new WorkflowContextDouble(new Dictionary<string, Func<JsonElement, Task<object?>>>
        {
            [nameof(PlanRestoreActivity)] = async input => await new PlanRestoreActivity(activities).RunAsync(null!, Read<RestoreRequest>(input)),
            [nameof(ApplyRestoreStepActivity)] = async input => await new ApplyRestoreStepActivity(activities).RunAsync(null!, Read<RestoreStepInput>(input)),
            [nameof(CheckRestoreHealthActivity)] = async input => await new CheckRestoreHealthActivity(activities).RunAsync(null!, Read<RestoreRequest>(input)),
            [nameof(CompensateRestoreActivity)] = async input => await new CompensateRestoreActivity(activities).RunAsync(null!, Read<RestoreCompensationInput>(input)),
            [nameof(ReportRestoreActivity)] = async input => await new ReportRestoreActivity(activities).RunAsync(null!, Read<RestoreReport>(input)),
        });
    }

    private static T Read<T>(JsonElement element) => element.Deserialize<T>()!;

    [Fact]
    public async Task Workflow_restores_the_canary_step_by_step_and_resolves_the_incident()
    {
        _loop.ModelAnswers("""{"action":"rollback_canary","route":"shop/checkout","reason":"checkout-v2 5xx"}""");
        await _loop.AlertAsync(LoopHarness.CanaryHighErrorRate());
        _loop.Health.ErrorRatio["checkout-v2"] = 0.001;
        await _loop.AlertAsync(LoopHarness.CanaryHighErrorRate(status: AlertStatus.Resolved));
        await _loop.Runtime.FireIncidentReminderAsync(LoopHarness.Checkout, IncidentProcess.VerifyReminder);
        var incident = (await _loop.StateAsync()).Machine.Current!;
        Assert.Equal(IncidentPhase.Restoring, incident.Phase);
        var request = new RestoreRequest(incident.RestoreId!, incident.Id, LoopHarness.Checkout, LoopHarness.CheckoutRoute,
            "checkout-v1", "checkout-v2", 10, [10, 25, 50, 100], TimeSpan.FromSeconds(20));
        var context = Context();

        var outcome = await new ProgressiveRestoreWorkflow().RunAsync(context, request);

        Assert.True(outcome.Completed, outcome.FailureReason);
        Assert.Equal(10, _loop.Cluster.Weight("checkout-v2"));
        Assert.Equal(4, context.Timers.Count);
        Assert.All(context.Timers, t => Assert.Equal(TimeSpan.FromSeconds(20), t));
        Assert.Equal(nameof(ReportRestoreActivity), context.Calls[^1]);
        Assert.Equal(IncidentPhase.Resolved, (await _loop.StateAsync()).Machine.Current!.Phase);
    }

    /// <summary>The restore is judged by the incident's own bounds (its SOP's health_bounds over the configured ones):
    /// a canary at 2 % errors passes the default 5 % but not a SOP's 1 %, so the restore stops at its first step and
    /// puts the weights back.</summary>
    [Fact]
    public async Task A_restore_is_judged_by_the_incidents_own_bounds_and_a_stricter_sop_stops_it()
    {
        _loop.ModelAnswers("""{"action":"rollback_canary","route":"shop/checkout","reason":"checkout-v2 5xx"}""");
        await _loop.AlertAsync(LoopHarness.CanaryHighErrorRate());
        _loop.Health.ErrorRatio["checkout-v2"] = 0.001;
        await _loop.AlertAsync(LoopHarness.CanaryHighErrorRate(status: AlertStatus.Resolved));
        await _loop.Runtime.FireIncidentReminderAsync(LoopHarness.Checkout, IncidentProcess.VerifyReminder);
        var state = await _loop.StateAsync();
        var incident = state.Machine.Current!;
        // The loop hands the restore the bounds the incident was triaged with.
        Assert.Equal(state.Record!.HealthBounds, Assert.Single(_loop.Restores.Requests).Bounds);
        Assert.NotNull(state.Record.HealthBounds);
        _loop.Health.ErrorRatio["checkout-v2"] = 0.02;
        var strict = new RestoreRequest(incident.RestoreId!, incident.Id, LoopHarness.Checkout, LoopHarness.CheckoutRoute,
            "checkout-v1", "checkout-v2", 10, [10, 25, 50, 100], TimeSpan.FromSeconds(20), new HealthBounds(0.01, 1000, 2));

        var outcome = await new ProgressiveRestoreWorkflow().RunAsync(Context(), strict);

        Assert.False(outcome.Completed);
        Assert.StartsWith("step 1 (1%) failed", outcome.FailureReason);
        Assert.Equal(0, _loop.Cluster.Weight("checkout-v2"));
        var judge = _loop.Services.GetRequiredService<HealthJudge>();
        var canary = new MetricSnapshot("checkout-v2", 0.02, 200, 5, 0, DateTimeOffset.UnixEpoch);
        Assert.True(judge.IsVersionHealthy(canary)); // the configured 5 % would have let it through
        Assert.False(judge.IsVersionHealthy(canary, strict.Bounds));
    }
}
