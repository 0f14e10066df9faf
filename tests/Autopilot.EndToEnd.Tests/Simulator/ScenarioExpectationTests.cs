using Autopilot.Remediation.Routing;
using Autopilot.Simulator.Scenarios;

namespace Autopilot.EndToEnd.Tests.Simulator;

/// <summary>A scenario passes on judgement: the model's own first proposal must be what the SOP prescribes.</summary>
public sealed class ScenarioExpectationTests
{
    private static readonly ScenarioExpectation Expect = new("CanaryHighErrorRate", ["rollback_canary", "shift_traffic"], false, false, null,
        Prescribed: "rollback_canary", ReasonNames: ["checkout-v2", "err="]);

    private static ScenarioOutcome Outcome(PlannedProposal? first) =>
        new(["CanaryHighErrorRate"], ["rollback_canary"], false, false, [new BackendWeight("checkout-v1", 100), new BackendWeight("checkout-v2", 0)], [], first);

    [Fact]
    public void The_models_prescribed_action_with_a_grounded_reason_passes()
    {
        Assert.Empty(Outcome(new PlannedProposal("rollback_canary", "Model", "checkout-v2 err=40% > 5%")).Check(Expect));
    }

    [Theory]
    [InlineData("shift_traffic", "Model", "checkout-v2 err=40% > 5%", "the model proposed shift_traffic; the SOP prescribes rollback_canary")]
    [InlineData("rollback_canary", "SopDefault", "model unavailable", "the first proposal came from SopDefault, not the model")]
    [InlineData("rollback_canary", "Model", "canary is bad", "does not name checkout-v2, err=")]
    public void A_fallback_another_action_or_an_ungrounded_reason_misses(string action, string source, string reason, string miss)
    {
        var misses = Outcome(new PlannedProposal(action, source, reason)).Check(Expect);
        Assert.Contains(misses, m => m.Contains(miss, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_shipped_scenario_names_the_action_its_sop_prescribes()
    {
        var scenarios = ScenarioLoader.LoadDirectory(RepoPaths.Scenarios);
        Assert.All(scenarios, s => Assert.NotNull(s.Expect.Prescribed));
        Assert.All(scenarios, s => Assert.NotEmpty(s.Expect.ReasonNames!));
    }
}
