using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Restore;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Routing;

namespace Autopilot.Actors.Tests.Restore;

public sealed class ProgressiveRestoreTests
{
    private static RestoreRequest Request(int originalCanary, params int[] percents) => new(
        "inc-1.restore", "inc-1", new WorkloadKey("shop", "checkout"), new RouteRef("shop", "checkout"), "checkout-v1", "checkout-v2",
        originalCanary, percents.Length == 0 ? [10, 25, 50, 100] : percents, TimeSpan.Zero);

    private static IReadOnlyList<BackendWeight> Weights(int stable, int canary, int other = 0) =>
        other == 0
            ? [new("checkout-v1", stable), new("checkout-v2", canary)]
            : [new("checkout-v1", stable), new("checkout-v2", canary), new("checkout-v3", other)];

    [Fact]
    public void Steps_are_percentages_of_the_original_canary_weight_with_stable_taking_the_rest()
    {
        var steps = ProgressiveRestore.Plan(Request(40), Weights(100, 0));

        Assert.Equal([4, 10, 20, 40], steps.Select(s => s.CanaryWeight));
        Assert.All(steps, s => Assert.Equal(100, s.Weights.Sum(w => w.Weight)));
        Assert.Equal(60, steps[^1].Weights.Single(w => w.Name == "checkout-v1").Weight);
        Assert.Equal(["inc-1.restore.step1", "inc-1.restore.step2", "inc-1.restore.step3", "inc-1.restore.step4"], steps.Select(s => s.ChangeId));
    }

    [Fact]
    public void Repeated_weights_and_steps_below_the_current_weight_are_skipped()
    {
        var steps = ProgressiveRestore.Plan(Request(4), Weights(99, 1));

        Assert.Equal([2, 4], steps.Select(s => s.CanaryWeight));
    }

    [Fact]
    public void Other_backends_keep_their_weight()
    {
        var steps = ProgressiveRestore.Plan(Request(20), Weights(90, 0, other: 10));

        Assert.All(steps, s => Assert.Equal(10, s.Weights.Single(w => w.Name == "checkout-v3").Weight));
        Assert.Equal(70, steps[^1].Weights.Single(w => w.Name == "checkout-v1").Weight);
    }

    [Fact]
    public void A_route_without_the_canary_cannot_be_planned()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ProgressiveRestore.Plan(Request(10), [new BackendWeight("checkout-v1", 100)]));

        Assert.Contains("checkout-v2", e.Message);
    }
}
