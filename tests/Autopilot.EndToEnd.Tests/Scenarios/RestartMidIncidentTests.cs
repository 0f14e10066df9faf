using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.Alerting;
using Autopilot.Simulator.Faults;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Workloads;
using Autopilot.Standalone.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.EndToEnd.Tests.Scenarios;

/// <summary>
/// The stand-alone host is stopped in the middle of an incident (traffic already moved, verification pending) and a
/// new host starts over the same state directory: the incident resumes from disk (its verify reminder fires), the
/// fix lets it restore traffic, and the mitigation is never applied a second time.
/// </summary>
public sealed class RestartMidIncidentTests
{
    [Fact]
    public async Task Incident_resumes_after_a_restart_without_a_duplicate_change()
    {
        var workload = WorkloadSpec.Checkout();
        var state = TestContent.NewStateDirectory("restart");
        var configuration = TestContent.TestConfiguration(TestContent.PoliciesWithoutFreezeWindows());
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await using var environment = await SimulatedEnvironment.StartAsync([workload], NullLoggerFactory.Instance);
        var evaluator = environment.StartEvaluator(AlertRuleSettings.Fast, new Uri("http://127.0.0.1:9/"), http);
        StandaloneSettings Settings() =>
            StandaloneSettings.ForSimulator(environment, evaluator.History, state, RepoPaths.Root) with { Configuration = configuration };

        var first = await AutopilotHost.StartAsync(Settings());
        environment.Notifier!.Target(first.WebhookUrl, first.WebhookToken);
        environment.Cluster.Inject(workload.Key, new ErrorRateFault("v2-5xx", "checkout-v2", 0.4));
        await TestContent.Until(async () => (await first.Guardrails.ReadStateAsync(workload.Route, default)).Ledger.Count >= 1, "the first host never applied a mitigation", 120);
        var mitigation = (await first.Guardrails.ReadStateAsync(workload.Route, default)).Ledger.Single();
        var incidentId = mitigation.IncidentId;
        Assert.NotEqual(90, (await first.Bridge.GetRouteAsync(workload.Route)).Weights().Single(w => w.Name == "checkout-v1").Weight);
        await first.DisposeAsync();

        // While autopilot is down the fix ships and Alertmanager keeps repeating the firing alert.
        environment.Cluster.Clear(workload.Key, "v2-5xx");
        await using var second = await AutopilotHost.StartAsync(Settings());
        environment.Notifier.Target(second.WebhookUrl, second.WebhookToken);

        await TestContent.Until(async () => await second.Journal.GetAsync(incidentId, default) is { Restore.Completed: true },
            $"incident {incidentId} did not resume and restore after the restart", 150);

        var ledger = (await second.Guardrails.ReadStateAsync(workload.Route, default)).Ledger;
        Assert.Single(ledger, e => e.ChangeId == mitigation.ChangeId);
        var changes = await second.Bridge.ListChangesAsync(workload.Route);
        Assert.Equal(changes.Count, changes.Select(c => c.Change.ChangeId).Distinct().Count());
        Assert.Equal([new BackendWeight("checkout-v1", 90), new BackendWeight("checkout-v2", 10)], (await second.Bridge.GetRouteAsync(workload.Route)).Weights());
        var record = (await second.Journal.GetAsync(incidentId, default))!;
        Assert.Contains(record.Steps, s => s.Step == "verify");
        Assert.Equal(DecisionStatus.Applied, record.Decision?.Status);
    }
}
