using Autopilot.Testing;
using Autopilot.Decisions.Evaluation;
using Autopilot.Remediation.Policies;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Model.Tests.Evaluation;

/// <summary>The shipped policies/ judged at the case's own time with no earlier changes.</summary>
public sealed class CasePolicyTests
{
    private static readonly CasePolicy Policy = new(PolicySet.LoadDirectory(Path.Combine(EvalSamples.RepoRoot, "policies")));

    private static RouteState Route(string name, params (string Name, int Weight)[] backends) =>
        new(RouteRef.Parse(name), "1", [new RouteRule(0, [.. backends.Select(b => new BackendWeight(b.Name, b.Weight))])], backends[0].Name,
            new Dictionary<string, string>());

    private static readonly RouteState Checkout = Route("shop/checkout", ("checkout-v1", 90), ("checkout-v2", 10));

    [Fact]
    public void A_rollback_on_checkout_is_allowed()
    {
        var verdict = Policy.Judge(new RollbackCanary("shop/checkout", "v2 err"), Checkout, EvalSamples.Wednesday);

        Assert.Equal((VerdictOutcomes.Allowed, "shop-checkout", false), (verdict.Outcome, verdict.Policy, verdict.DryRun));
        Assert.Empty(verdict.Rules);
    }

    [Fact]
    public void Isolating_a_checkout_backend_needs_approval()
    {
        var verdict = Policy.Judge(new IsolateBackend("shop/checkout", "checkout-v2", "v2 crash"), Checkout, EvalSamples.Wednesday);

        Assert.Equal(VerdictOutcomes.NeedsApproval, verdict.Outcome);
        Assert.Equal(["require_approval"], verdict.Rules);
    }

    [Fact]
    public void A_denial_names_every_broken_rule()
    {
        var shift = new ShiftTraffic("shop/checkout", new Dictionary<string, int> { ["checkout-v1"] = 40, ["checkout-v2"] = 60 }, "r");
        var verdict = Policy.Judge(shift, Checkout, EvalSamples.Wednesday);

        Assert.Equal(VerdictOutcomes.Denied, verdict.Outcome);
        Assert.Equal(["min_stable_weight", "max_step_percent"], verdict.Rules);
    }

    [Fact]
    public void The_case_time_decides_freeze_windows()
    {
        var catalog = Route("shop/catalog", ("catalog-v1", 80), ("catalog-v2", 20));
        var rollback = new RollbackCanary("shop/catalog", "v2 err");
        var saturday = new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(VerdictOutcomes.Allowed, Policy.Judge(rollback, catalog, EvalSamples.Wednesday).Outcome);
        Assert.Equal(["freeze_windows"], Policy.Judge(rollback, catalog, saturday).Rules);
    }

    [Fact]
    public void Escalating_is_allowed_even_without_a_route()
    {
        Assert.Equal(VerdictOutcomes.Allowed, Policy.Judge(new Escalate("no SOP"), null, EvalSamples.Wednesday).Outcome);
        Assert.Equal(VerdictOutcomes.Allowed, Policy.Judge(new Escalate("no SOP"), Checkout, EvalSamples.Wednesday).Outcome);
    }
}
