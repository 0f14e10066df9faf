using Autopilot.Testing;
using Microsoft.Extensions.Time.Testing;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.Alerting;
using Autopilot.Simulator.Routes;
using Autopilot.Simulator.Scenarios;
using Autopilot.Simulator.Workloads;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Simulator.Tests;

public sealed class AlertEvaluatorTests
{
    public static TheoryData<string> ScenarioNames() =>
        [.. ScenarioLoader.LoadDirectory(Repo.PathOf("simulator", "scenarios")).Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public async Task Each_scenario_raises_its_expected_alert_and_no_alert_that_would_move_traffic_when_changes_are_forbidden(string name)
    {
        var run = new ScenarioRun(ScenarioLoader.Find(Repo.PathOf("simulator", "scenarios"), name));

        await run.UntilAsync(() => run.Fired(run.Scenario.Expect.Alert), TimeSpan.FromSeconds(60));

        Assert.Contains(run.Notifications, n => n.Alerts.Any(a => a.Status == "firing" && a.Labels["alertname"] == run.Scenario.Expect.Alert));
        // A wrong-proposal scenario forbids changes because the proposal is wrong, not because nothing could help.
        if (run.Scenario.Expect.ForbidsChanges && run.Scenario.Proposal is null)
        {
            await run.ForAsync(TimeSpan.FromSeconds(20));
            Assert.DoesNotContain(AlertRuleSettings.CanaryHighErrorRate, run.FiredNames);
            Assert.DoesNotContain(AlertRuleSettings.CanaryLatencyRegression, run.FiredNames);
        }
    }

    [Theory]
    [InlineData("bad-canary")]
    [InlineData("latency-regression")]
    [InlineData("crash-loop")]
    public async Task Moving_traffic_off_the_bad_version_resolves_the_alert_and_the_fix_ships(string name)
    {
        var run = new ScenarioRun(ScenarioLoader.Find(Repo.PathOf("simulator", "scenarios"), name));
        await run.UntilAsync(() => run.Fired(run.Scenario.Expect.Alert), TimeSpan.FromSeconds(60));

        run.Routes.Set(run.Scenario.Workload.Route, [new BackendWeight("checkout-v1", 100), new BackendWeight("checkout-v2", 0)]);
        await run.UntilAsync(() => !run.Evaluator.Firing.Any(f => f.Name == run.Scenario.Expect.Alert), TimeSpan.FromSeconds(60));

        Assert.Contains(run.Notifications, n => n.Alerts.Any(a => a.Status == "resolved" && a.Labels["alertname"] == run.Scenario.Expect.Alert));
        await run.UntilAsync(() => run.Director.AllFaultsCleared, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Firing_alerts_are_grouped_per_workload_with_alertmanager_labels_and_fingerprints()
    {
        var run = new ScenarioRun(ScenarioLoader.Find(Repo.PathOf("simulator", "scenarios"), "bad-canary"));
        await run.UntilAsync(() => run.Fired(AlertRuleSettings.CanaryHighErrorRate), TimeSpan.FromSeconds(60));

        var payload = run.Notifications.First(n => n.Status == "firing");
        Assert.Equal("4", payload.Version);
        Assert.Equal("shop", payload.GroupLabels["namespace"]);
        var alert = Assert.Single(payload.Alerts);
        Assert.Equal("checkout-v2", alert.Labels["version"]);
        Assert.Equal("checkout", alert.Labels["workload"]);
        Assert.Equal("critical", alert.Labels["severity"]);
        Assert.Equal(AlertmanagerWebhook.Fingerprint(alert.Labels), alert.Fingerprint);
        Assert.Equal(16, alert.Fingerprint.Length);
    }

    [Fact]
    public async Task A_failed_delivery_is_retried_at_the_next_evaluation()
    {
        var run = new ScenarioRun(ScenarioLoader.Find(Repo.PathOf("simulator", "scenarios"), "bad-canary")) { FailDeliveries = 2 };
        await run.UntilAsync(() => run.Notifications.Count > 0, TimeSpan.FromSeconds(60));
        Assert.Equal(2, run.FailedDeliveries);
        Assert.Equal("firing", run.Notifications[0].Status);
    }

    /// <summary>A scenario on a hand-moved clock: director ticks every 250 ms, the evaluator every second.</summary>
    private sealed class ScenarioRun : IAlertNotifier
    {
        private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        private readonly SimulatedCluster _cluster;

        public ScenarioRun(Scenario scenario)
        {
            Scenario = scenario;
            _cluster = new SimulatedCluster(Routes, _time);
            _cluster.Add(scenario.Workload);
            Routes.Set(scenario.Workload.Route, scenario.Workload.InitialWeights);
            Director = new ScenarioDirector(_cluster, scenario);
            Evaluator = new AlertEvaluator(_cluster, AlertRuleSettings.Fast, this, NullLogger<AlertEvaluator>.Instance);
            Evaluator.Transition += t => { if (t.Firing) FiredNames.Add(t.Name); };
        }

        public Scenario Scenario { get; }
        public InMemoryRouteWeights Routes { get; } = new();
        public ScenarioDirector Director { get; }
        public AlertEvaluator Evaluator { get; }
        public List<AlertmanagerWebhook> Notifications { get; } = [];
        public HashSet<string> FiredNames { get; } = [];
        public int FailDeliveries { get; init; }
        public int FailedDeliveries { get; private set; }

        public bool Fired(string alert) => FiredNames.Contains(alert);

        public Task NotifyAsync(AlertmanagerWebhook notification, CancellationToken cancellationToken)
        {
            if (FailedDeliveries < FailDeliveries)
            {
                FailedDeliveries++;
                throw new HttpRequestException("receiver down");
            }
            Notifications.Add(notification);
            return Task.CompletedTask;
        }

        public async Task UntilAsync(Func<bool> condition, TimeSpan simulated)
        {
            for (var t = TimeSpan.Zero; t <= simulated; t += TimeSpan.FromMilliseconds(250))
            {
                if (condition()) return;
                await StepAsync();
            }
            Assert.Fail($"Scenario {Scenario.Name}: the condition did not hold within {simulated.TotalSeconds} simulated seconds; fired: {string.Join(", ", FiredNames)}");
        }

        public async Task ForAsync(TimeSpan simulated)
        {
            for (var t = TimeSpan.Zero; t < simulated; t += TimeSpan.FromMilliseconds(250)) await StepAsync();
        }

        private int _steps;

        private async Task StepAsync()
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            Director.Tick();
            if (++_steps % 4 == 0) await Evaluator.EvaluateAsync();
        }
    }
}
