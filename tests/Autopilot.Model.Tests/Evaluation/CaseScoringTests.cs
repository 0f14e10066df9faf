using Autopilot.Decisions.Cases;
using Autopilot.Decisions.Evaluation;
using Autopilot.Decisions.Planning;
using Autopilot.Incidents.Planning;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Proposals;

namespace Autopilot.Model.Tests.Evaluation;

public sealed class CaseScoringTests
{
    private static readonly CaseVerdict Verdict = EvalSamples.Allowed;

    private static PlanOutcome Outcome(Proposal proposal, ProposalSource source = ProposalSource.Model, string? parseError = null, string? modelError = null,
        IReadOnlyList<string>? allowed = null) =>
        new(proposal, source, new PlanRecord(source, "canary-high-error-rate", "{}", modelError, parseError, 42, allowed ?? ["rollback_canary", "shift_traffic", "escalate"])
        {
            PromptTokens = 250,
            CompletionTokens = 30,
        });

    private static CaseResult Score(DecisionCase c, PlanOutcome outcome) =>
        CaseScoring.Score(c, outcome, Verdict, CasePerception.Route(c), 12.5);

    [Fact]
    public void An_action_among_the_expected_ones_is_correct()
    {
        var expect = new CaseExpectation { Actions = ["rollback_canary", "shift_traffic"] };
        Assert.True(CaseScoring.IsCorrectAction(expect, "shift_traffic"));
        Assert.False(CaseScoring.IsCorrectAction(expect, "escalate"));
    }

    [Fact]
    public void Without_expected_actions_anything_not_forbidden_is_correct()
    {
        var expect = new CaseExpectation { Forbidden = ["rollback_canary"] };
        Assert.True(CaseScoring.IsCorrectAction(expect, "escalate"));
        Assert.False(CaseScoring.IsCorrectAction(expect, "rollback_canary"));
    }

    [Fact]
    public void A_shift_is_judged_on_the_weights_it_leaves()
    {
        var c = EvalSamples.BadCanary();
        var within = Score(c, Outcome(new ShiftTraffic("shop/checkout", new Dictionary<string, int> { ["checkout-v1"] = 95, ["checkout-v2"] = 5 }, "v2 err")));
        var beyond = Score(c, Outcome(new ShiftTraffic("shop/checkout", new Dictionary<string, int> { ["checkout-v1"] = 80, ["checkout-v2"] = 20 }, "v2 err")));

        Assert.True(within.WithinBounds);
        Assert.False(beyond.WithinBounds);
        Assert.Equal("checkout-v2=20 outside 0..5", beyond.BoundsProblem);
    }

    [Fact]
    public void A_rollback_is_judged_on_the_weights_it_resolves_to_on_the_case_route()
    {
        var result = Score(EvalSamples.BadCanary(), Outcome(new RollbackCanary("shop/checkout", "checkout-v2 err 40%")));

        Assert.True(result.WithinBounds);
        Assert.Null(result.BoundsProblem);
    }

    [Fact]
    public void A_proposal_that_does_not_fit_the_route_is_out_of_bounds_with_the_reason()
    {
        var result = Score(EvalSamples.BadCanary(), Outcome(new IsolateBackend("shop/checkout", "checkout-v9", "v9 broken")));

        Assert.False(result.WithinBounds);
        Assert.Contains("unknown backend checkout-v9", result.BoundsProblem);
    }

    [Fact]
    public void Isolate_and_rate_limit_bounds_are_checked_when_the_case_gives_them()
    {
        var expect = new CaseExpectation { Actions = ["isolate_backend", "set_rate_limit"], Isolate = ["checkout-v2"], RequestsPerSecond = new RateBound(100, 400) };
        var route = CasePerception.Route(EvalSamples.BadCanary());

        Assert.Equal((true, null), CaseScoring.Bounds(expect, new IsolateBackend("shop/checkout", "checkout-v2", "r"), route));
        Assert.False(CaseScoring.Bounds(expect, new IsolateBackend("shop/checkout", "checkout-v1", "r"), route).Within);
        Assert.True(CaseScoring.Bounds(expect, new SetRateLimit("shop/checkout", 250, "r"), route).Within);
        Assert.Equal("50 requests/s is outside 100..400", CaseScoring.Bounds(expect, new SetRateLimit("shop/checkout", 50, "r"), route).Problem);
    }

    [Fact]
    public void Proposals_without_bounded_parameters_are_not_judged_for_bounds()
    {
        var result = Score(EvalSamples.BadCanary(), Outcome(new Escalate("checkout-v2 err")));

        Assert.Null(result.WithinBounds);
    }

    [Fact]
    public void A_reason_is_grounded_when_it_names_every_expected_name_in_any_case()
    {
        var c = EvalSamples.BadCanary();

        Assert.True(Score(c, Outcome(new RollbackCanary("shop/checkout", "CHECKOUT-V2 ERR=40% > 5%"))).Grounded);
        Assert.False(Score(c, Outcome(new RollbackCanary("shop/checkout", "canary is bad"))).Grounded);
    }

    [Fact]
    public void Grounding_is_judged_only_for_what_the_model_wrote()
    {
        var fallback = Score(EvalSamples.BadCanary(), Outcome(new RollbackCanary("shop/checkout", "SOP default"), ProposalSource.SopDefault, parseError: "$: not JSON"));
        var noNames = Score(EvalSamples.Flapping(), Outcome(new NoAction("flapping")));

        Assert.Null(fallback.Grounded);
        Assert.True(fallback.InvalidOutput);
        Assert.Null(noNames.Grounded);
    }

    [Fact]
    public void A_plan_that_never_asked_the_model_records_why_instead_of_a_model_error()
    {
        var result = Score(EvalSamples.Uncovered(), Outcome(new Escalate("no SOP matches these alerts"), ProposalSource.Fallback,
            modelError: "no SOP matches these alerts", allowed: []));
        var unavailable = Score(EvalSamples.BadCanary(), Outcome(new RollbackCanary("shop/checkout", "default"), ProposalSource.SopDefault,
            modelError: "model unavailable: timeout"));

        Assert.False(result.ModelAsked);
        Assert.Null(result.ModelError);
        Assert.Equal("no SOP matches these alerts", result.NotAskedBecause);
        Assert.True(unavailable.ModelAsked);
        Assert.Equal("model unavailable: timeout", unavailable.ModelError);
    }

    [Fact]
    public void The_record_carries_what_the_report_shows()
    {
        var result = Score(EvalSamples.BadCanary(), Outcome(new RollbackCanary("shop/checkout", "checkout-v2 err 40%")));

        Assert.Equal(("canary-40pct", "canary-high-error-rate", "rollback_canary", "Model"), (result.Id, result.Sop, result.Action, result.Source));
        Assert.Equal("rollback_canary", result.Prescribed);
        Assert.Equal((250, 30, 12.5), (result.PromptTokens, result.CompletionTokens, result.LatencyMs));
        Assert.Equal("{}", result.RawOutput);
        Assert.Same(Verdict, result.Verdict);
    }
}
