using Autopilot.Incidents.Ports;
using Autopilot.InferencePool.Client;
using Autopilot.Remediation.Incidents;
using Autopilot.Simulator.Alerting;
using Autopilot.Simulator.Faults;
using Autopilot.Simulator.Hosting;
using Autopilot.Simulator.Workloads;
using Autopilot.Standalone.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.EndToEnd.Tests.Scenarios;

/// <summary>
/// In an alert storm the pool's few sessions are taken. An incident that finds none free within
/// Autopilot:Planning:LeaseWaitMs mitigates with its SOP's safe default instead of queueing for the model, and the
/// audit trail says why.
/// </summary>
public sealed class BusyPoolFallbackTests
{
    [Fact]
    public async Task Incident_that_gets_no_pool_session_within_its_wait_mitigates_with_the_sop_default()
    {
        var workload = WorkloadSpec.Checkout();
        var configuration = new Dictionary<string, string?>(TestContent.TestConfiguration(TestContent.PoliciesWithoutFreezeWindows()))
        {
            ["InferencePool:MaxConcurrentSessions"] = "1",
            ["InferencePool:QueueTimeoutSeconds"] = "600",
            ["Autopilot:Planning:LeaseWaitMs"] = "300",
        };
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await using var environment = await SimulatedEnvironment.StartAsync([workload], NullLoggerFactory.Instance);
        var evaluator = environment.StartEvaluator(AlertRuleSettings.Fast, new Uri("http://127.0.0.1:9/"), http);
        await using var host = await AutopilotHost.StartAsync(StandaloneSettings.ForSimulator(
            environment, evaluator.History, TestContent.NewStateDirectory("busy-pool"), RepoPaths.Root) with { Configuration = configuration });
        // Another caller holds the pool's only session for the whole incident.
        var pool = host.Services.GetRequiredService<IInferencePool>();
        var held = await pool.LeaseAsync();
        environment.Notifier!.Target(host.WebhookUrl, host.WebhookToken);

        environment.Cluster.Inject(workload.Key, new ErrorRateFault("v2-5xx", "checkout-v2", 0.4));
        // The audit record is written after the guardrail's turn, so wait for it rather than for the route.
        await TestContent.Until(() => Task.FromResult(host.Journal.All.Any(r => r.Decision is not null)),
            "no mitigation was decided while the pool was busy", 120);

        var record = host.Journal.All.Single(r => r.Decision is not null);
        Assert.Equal(ProposalSource.SopDefault, record.Plan!.Source);
        Assert.Contains(nameof(PoolBusyException), record.Plan.ModelError);
        Assert.Contains("300 ms", record.Plan.ModelError);
        Assert.Equal(DecisionStatus.Applied, record.Decision!.Status);
        Assert.True(record.Decision.Verdict!.Allowed);
        Assert.Equal(0, (await host.Bridge.GetRouteAsync(workload.Route)).Weights().Single(w => w.Name == "checkout-v2").Weight);
        await pool.ReleaseAsync(held.LeaseId);
    }
}
