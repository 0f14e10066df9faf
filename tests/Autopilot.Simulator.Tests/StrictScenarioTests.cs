using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.Routes;
using Autopilot.Simulator.Scenarios;
using Autopilot.Simulator.Workloads;
using Autopilot.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Autopilot.Simulator.Tests;

/// <summary>A scenario passes on the right mitigation only: the simulator fixes a fault only once traffic left the
/// faulty backend, and the first change must be the one the SOP prescribes.</summary>
public sealed class StrictScenarioTests
{
    private static readonly string Scenarios = Repo.PathOf("simulator", "scenarios");

    private static (ScenarioDirector Director, InMemoryRouteWeights Routes, FakeTimeProvider Time, Scenario Scenario) Start(string name)
    {
        var scenario = ScenarioLoader.Find(Scenarios, name);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
        var routes = new InMemoryRouteWeights();
        var cluster = new SimulatedCluster(routes, time);
        cluster.Add(scenario.Workload);
        routes.Set(scenario.Workload.Route, scenario.Workload.InitialWeights);
        return (new ScenarioDirector(cluster, scenario), routes, time, scenario);
    }

    private static void Run(ScenarioDirector director, FakeTimeProvider time, TimeSpan span)
    {
        for (var t = TimeSpan.Zero; t < span; t += TimeSpan.FromMilliseconds(250))
        {
            director.Tick();
            time.Advance(TimeSpan.FromMilliseconds(250));
        }
    }

    [Fact]
    public void Raising_the_failing_canary_mitigates_nothing_and_fixes_nothing()
    {
        var (director, routes, time, scenario) = Start("bad-canary");
        Run(director, time, TimeSpan.FromSeconds(3));

        routes.Set(scenario.Workload.Route, [new BackendWeight("checkout-v1", 65), new BackendWeight("checkout-v2", 35)]);
        Run(director, time, TimeSpan.FromSeconds(20));

        Assert.Null(director.MitigatedAt);
        Assert.False(director.AllFaultsCleared);
    }

    [Fact]
    public void Moving_traffic_off_the_faulty_backend_lets_the_fix_ship()
    {
        var (director, routes, time, scenario) = Start("bad-canary");
        Run(director, time, TimeSpan.FromSeconds(3));

        routes.Set(scenario.Workload.Route, [new BackendWeight("checkout-v1", 100), new BackendWeight("checkout-v2", 0)]);
        Run(director, time, TimeSpan.FromSeconds(10));

        Assert.NotNull(director.MitigatedAt);
        Assert.True(director.AllFaultsCleared);
    }

    [Fact]
    public void The_first_change_must_be_the_prescribed_mitigation_not_any_traffic_move()
    {
        var expect = new ScenarioExpectation("CanaryHighErrorRate", ["rollback_canary", "shift_traffic"], false, true, null, Prescribed: ["rollback_canary"]);
        ScenarioOutcome Applied(params string[] actions) =>
            new(["CanaryHighErrorRate"], actions, false, true, [new BackendWeight("checkout-v1", 90), new BackendWeight("checkout-v2", 10)], [],
                new PlannedProposal("rollback_canary", "Model", "checkout-v2 err"));

        Assert.Empty(Applied("rollback_canary", "shift_traffic", "shift_traffic").Check(expect));
        Assert.Contains(Applied("isolate_backend", "shift_traffic").Check(expect), m => m.StartsWith("expected the mitigation to be one of", StringComparison.Ordinal));
    }

    [Fact]
    public void A_scripted_wrong_proposal_is_judged_on_what_the_safety_net_did_not_on_who_proposed_it()
    {
        var expect = new ScenarioExpectation("CanaryHighErrorRate", [], true, false, null, Prescribed: ["rollback_canary"]);
        var outcome = new ScenarioOutcome(["CanaryHighErrorRate"], [], true, false, [new BackendWeight("checkout-v1", 90), new BackendWeight("checkout-v2", 10)], [],
            new PlannedProposal("shift_traffic", "Model", "checkout-v2 needs more traffic"));

        Assert.Contains(outcome.Check(expect), m => m.Contains("the SOP prescribes", StringComparison.Ordinal));
        Assert.Empty(outcome.Check(expect, scripted: true));
    }

    [Theory]
    [InlineData("  max_error_ratio_after_mitigation: 0.01   # 5xx / requests the workload may serve from mitigation to the end of the run\n", "", "expect.max_error_ratio_after_mitigation: required")]
    [InlineData("max_error_ratio_after_mitigation: 0.01", "max_error_ratio_after_mitigation: 1.5", "is not a ratio between 0 and 1")]
    [InlineData("  prescribed: [rollback_canary, shift_traffic]", "", "expect.prescribed: required")]
    [InlineData("timeout: 120s", "timeout: 120s\nproposal: '{\"action\":\"reboot\"}'", "proposal: action 'reboot' is not an action")]
    [InlineData("timeout: 120s", "timeout: 120s\nproposal: 'roll it back'", "proposal: is not JSON")]
    public void A_scenario_without_its_bounds_or_with_a_bad_proposal_is_refused_naming_the_key(string find, string replace, string problem)
    {
        var text = File.ReadAllText(Path.Combine(Scenarios, "bad-canary.yaml"));
        Assert.Contains(find, text);

        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(text.Replace(find, replace), "bad-canary.yaml"));

        Assert.Contains(error.Problems, p => p.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void Wrong_proposal_scenarios_raise_the_canary_and_isolate_the_stable_backend()
    {
        var scripted = ScenarioLoader.LoadDirectory(Scenarios).Where(s => s.Proposal is not null).ToList();
        Assert.Contains(scripted, s => s.Proposal!.Contains("\"checkout-v2\":50", StringComparison.Ordinal) && s.Expect.ForbidsChanges);
        Assert.Contains(scripted, s => s.Proposal!.Contains("\"checkout-v2\":35", StringComparison.Ordinal) && s.Expect.Escalated && !s.Expect.ForbidsChanges);
        Assert.Contains(scripted, s => s.Proposal!.Contains("\"backend\":\"checkout-v1\"", StringComparison.Ordinal) && s.Expect.ForbidsChanges);
    }

    [Fact]
    public void A_multi_rule_scenario_seeds_its_other_rules_ahead_of_the_versions_rule()
    {
        var scenario = ScenarioLoader.Find(Scenarios, "bad-canary-multi-rule");
        var store = new Autopilot.Simulator.KubeApi.KubeObjectStore();

        KubeStoreRouteWeights.Seed(store, [scenario.Workload]);

        var rules = Autopilot.Simulator.KubeApi.HttpRouteManifest.Rules(store.Get(Autopilot.Simulator.KubeApi.KubeResourceType.HttpRoute, "shop", "checkout"));
        Assert.Equal(2, rules.Count);
        Assert.Equal([new BackendWeight("checkout-static", 100)], rules[0].Backends);
        Assert.Equal(scenario.Workload.InitialWeights, rules[1].Backends);
    }

    [Theory]
    [InlineData("path: /static", "path: /", "other_rules[0].path")]
    [InlineData("backends: {checkout-static: 100}", "backends: {checkout-static: 60}", "other_rules[0].backends")]
    public void A_bad_other_rule_is_refused_naming_it(string find, string replace, string problem)
    {
        var text = File.ReadAllText(Path.Combine(Scenarios, "bad-canary-multi-rule.yaml"));
        Assert.Contains(find, text);

        var error = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(text.Replace(find, replace), "multi.yaml"));

        Assert.Contains(error.Problems, p => p.Contains(problem, StringComparison.Ordinal));
    }
}
