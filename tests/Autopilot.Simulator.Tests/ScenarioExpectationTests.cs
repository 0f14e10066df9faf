using Autopilot.Testing;
using Autopilot.Remediation.Routing;
using Autopilot.Simulator.Scenarios;

namespace Autopilot.Simulator.Tests;

/// <summary>A scenario passes on judgement: the model's own first proposal must be what the SOP prescribes; a reason
/// that leaves out what the scenario names is reported.</summary>
public sealed class ScenarioExpectationTests
{
    private static readonly ScenarioExpectation Expect = new("CanaryHighErrorRate", ["rollback_canary", "shift_traffic"], false, false, null,
        Prescribed: ["rollback_canary", "shift_traffic"], ReasonNames: ["checkout-v2", "err|restarts"]);

    private static ScenarioOutcome Outcome(PlannedProposal? first) =>
        new(["CanaryHighErrorRate"], ["rollback_canary"], false, false, [new BackendWeight("checkout-v1", 100), new BackendWeight("checkout-v2", 0)], [], first);

    [Fact]
    public void The_models_prescribed_action_passes_with_a_grounded_reason()
    {
        Assert.Empty(Outcome(new PlannedProposal("rollback_canary", "Model", "checkout-v2 err out of bounds (>5%)")).Check(Expect));
        // Either signal of a backend out of bounds on two grounds, and any action of the prescribed class, will do.
        Assert.Empty(Outcome(new PlannedProposal("shift_traffic", "Model", "checkout-v2 restarts out of bounds")).Check(Expect));
    }

    [Theory]
    [InlineData("isolate_backend", "Model", "checkout-v2 err out of bounds (>5%)", "the model proposed isolate_backend; the SOP prescribes rollback_canary, shift_traffic")]
    [InlineData("rollback_canary", "SopDefault", "model unavailable", "the first proposal came from SopDefault, not the model")]
    public void A_fallback_or_another_action_misses(string action, string source, string reason, string miss)
    {
        var misses = Outcome(new PlannedProposal(action, source, reason)).Check(Expect);
        Assert.Contains(misses, m => m.Contains(miss, StringComparison.Ordinal));
    }

    [Fact]
    public void An_ungrounded_reason_is_reported_not_missed()
    {
        var outcome = Outcome(new PlannedProposal("rollback_canary", "Model", "checkout-v2 p99 out of bounds"));

        Assert.Empty(outcome.Check(Expect));
        Assert.Equal(["err|restarts"], outcome.UnnamedInReason(Expect));
        Assert.Empty(Outcome(new PlannedProposal("rollback_canary", "Model", "checkout-v2 err out of bounds")).UnnamedInReason(Expect));
    }

    [Fact]
    public void Every_shipped_scenario_names_the_action_its_sop_prescribes()
    {
        var scenarios = ScenarioLoader.LoadDirectory(Repo.PathOf("simulator", "scenarios"));
        Assert.All(scenarios, s => Assert.NotEmpty(s.Expect.Prescribed!));
        // A wrong-proposal scenario scripts the reason; flapping's prescribed answer (no action) names nothing.
        Assert.All(scenarios.Where(s => s.Name != "flapping" && s.Proposal is null), s => Assert.NotEmpty(s.Expect.ReasonNames!));
    }
}
