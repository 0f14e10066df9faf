using Autopilot.Incidents.Ports;
using Autopilot.Simulator.Scenarios;
using Autopilot.Standalone.Demo;
using Autopilot.Standalone.Hosting;
using Xunit.Abstractions;

namespace Autopilot.EndToEnd.Tests.Scenarios;

/// <summary>
/// The bad canary with real Prometheus (1 s scrape and evaluation, the shipped fast rules) and real Alertmanager
/// (1 s group wait) on free loopback ports: alert → webhook → incident → approved shift → error ratio drops → alert
/// resolves → progressive restore. Health is read from that Prometheus too.
/// </summary>
public sealed class RealPrometheusTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Bad_canary_through_prometheus_and_alertmanager_is_shifted_then_restored_within_policy()
    {
        Assert.True(PrometheusStack.MissingBinaries() is null, PrometheusStack.MissingBinaries());
        var scenario = ScenarioLoader.Find(RepoPaths.Scenarios, "bad-canary");

        var report = await ScenarioRunner.RunAsync(scenario, new ScenarioRunOptions
        {
            ContentRoot = RepoPaths.Root,
            StateDirectory = TestContent.NewStateDirectory("prometheus"),
            WithPrometheus = true,
            Configuration = TestContent.TestConfiguration(TestContent.PoliciesWithoutFreezeWindows()),
        }, new TestObserver(output), CancellationToken.None);

        Assert.True(report.Passed, $"Missed:\n  {string.Join("\n  ", report.Misses)}");
        Assert.Equal(90, report.Outcome.FinalWeights.Single(w => w.Name == "checkout-v1").Weight);
        Assert.Empty(report.Outcome.PolicyBreaches);
        var incident = Assert.Single(report.Incidents);
        Assert.Contains("CanaryHighErrorRate", incident.Alerts.Names);
        Assert.Equal(DecisionStatus.Applied, incident.Decision?.Status);
        Assert.True(incident.Decision!.Verdict!.Allowed);
        Assert.Empty(incident.Decision.Verdict.Violations);
        Assert.True(incident.Restore!.Completed);
        Assert.All(incident.Restore.Steps, step => Assert.True(step.Healthy, step.Summary));
        foreach (var step in new[] { "perceive", "compact", "retrieve", "plan", "guardrail", "verify", "restore" })
            Assert.Contains(incident.Steps, s => s.Step == step);
        Assert.True(report.ErrorsAfterMitigation * (double)report.RequestsBeforeMitigation
            < report.ErrorsBeforeMitigation * (double)Math.Max(1, report.RequestsAfterMitigation),
            "the error ratio after mitigation is not lower than before it");
    }
}
