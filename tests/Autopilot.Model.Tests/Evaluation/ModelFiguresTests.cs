using Autopilot.Decisions.Evaluation;
using static Autopilot.Model.Tests.Evaluation.EvalSamples;

namespace Autopilot.Model.Tests.Evaluation;

public sealed class ModelFiguresTests
{
    [Fact]
    public void Accuracy_counts_every_case_including_forbidden_only_ones_and_lucky_fallbacks()
    {
        var figures = ModelFigures.From("m", [
            Result("a"),
            Result("b", correct: false, action: "escalate"),
            Result("c", expected: [], forbidden: ["rollback_canary"], action: "escalate"),
            Result("d", source: "SopDefault"),
        ]);

        Assert.Equal(new Ratio(3, 4), figures.Accuracy);
        Assert.Equal(0.75, figures.Accuracy.Rate);
        Assert.Equal(new Ratio(2, 3), figures.ModelProposalAccuracy);
    }

    [Fact]
    public void Accuracy_per_sop_groups_cases_without_an_sop_last()
    {
        var figures = ModelFigures.From("m", [
            Result("a", sop: "traffic-surge"),
            Result("b", sop: null, action: "escalate", expected: ["escalate"], source: "Fallback", asked: false),
            Result("c", sop: "alert-flapping", correct: false),
            Result("d", sop: "alert-flapping"),
        ]);

        Assert.Equal(["alert-flapping", "traffic-surge", ModelFigures.NoSop], figures.AccuracyBySop.Select(s => s.Sop));
        Assert.Equal(new Ratio(1, 2), figures.AccuracyBySop[0].Correct);
    }

    [Fact]
    public void Grounded_rate_counts_only_judged_cases()
    {
        var figures = ModelFigures.From("m", [
            Result("a", grounded: true),
            Result("b", grounded: false),
            Result("c", grounded: null, source: "SopDefault"),
            Result("d", grounded: null),
        ]);

        Assert.Equal(new Ratio(1, 2), figures.Grounded);
    }

    [Fact]
    public void Fallback_rate_leaves_out_cases_no_sop_covers()
    {
        var figures = ModelFigures.From("m", [
            Result("a"),
            Result("b", source: "SopDefault", parseError: "$: not JSON"),
            Result("c", sop: null, source: "Fallback", action: "escalate", expected: ["escalate"], asked: false),
        ]);

        Assert.Equal(new Ratio(1, 2), figures.Fallback);
        Assert.Equal(new Ratio(1, 2), figures.InvalidOutput);
    }

    [Fact]
    public void Bounds_rate_counts_only_proposals_whose_parameters_are_bounded()
    {
        var figures = ModelFigures.From("m", [Result("a", withinBounds: true), Result("b", withinBounds: false), Result("c", withinBounds: null)]);

        Assert.Equal(new Ratio(1, 2), figures.WithinBounds);
    }

    [Fact]
    public void A_figure_nothing_was_judged_for_has_no_rate()
    {
        var figures = ModelFigures.From("m", [Result("a", sop: null, source: "Fallback", asked: false)]);

        Assert.Null(figures.Grounded.Rate);
        Assert.Null(figures.Fallback.Rate);
        Assert.Null(figures.LatencyP50Ms);
        Assert.Null(figures.PromptTokens.Mean);
    }

    [Theory]
    [InlineData(50, 20)]
    [InlineData(99, 40)]
    [InlineData(100, 40)]
    [InlineData(1, 10)]
    public void Percentiles_are_nearest_rank(double percent, double expected) =>
        Assert.Equal(expected, ModelFigures.Percentile([40, 10, 30, 20], percent));

    [Fact]
    public void P99_of_a_hundred_latencies_is_the_99th()
    {
        Assert.Equal(99, ModelFigures.Percentile([.. Enumerable.Range(1, 100).Select(i => (double)i)], 99));
    }

    [Fact]
    public void Latency_counts_only_cases_where_the_model_was_asked()
    {
        var figures = ModelFigures.From("m", [Result("a", latencyMs: 900), Result("b", latencyMs: 0.1, asked: false, sop: null, source: "Fallback")]);

        Assert.Equal(900, figures.LatencyP50Ms);
    }

    [Fact]
    public void Tokens_are_averaged_over_cases_that_report_them()
    {
        var figures = ModelFigures.From("m", [Result("a", promptTokens: 200, completionTokens: 20), Result("b", promptTokens: 300, completionTokens: 40), Result("c")]);

        Assert.Equal(new Spread(250, 300), figures.PromptTokens);
        Assert.Equal(new Spread(30, 40), figures.CompletionTokens);
    }

    [Fact]
    public void The_confusion_matrix_crosses_prescribed_and_proposed_actions_in_canonical_order()
    {
        var figures = ModelFigures.From("m", [
            Result("a", expected: ["rollback_canary", "shift_traffic"], action: "rollback_canary"),
            Result("b", expected: ["rollback_canary"], action: "escalate", correct: false),
            Result("c", expected: ["escalate"], action: "escalate"),
            Result("d", expected: ["rollback_canary"], action: "rollback_canary"),
            Result("e", expected: [], forbidden: ["shift_traffic"], action: "no_action"),
        ]);
        var matrix = figures.Confusion;

        Assert.Equal(["rollback_canary", "escalate", ConfusionMatrix.NoPrescribed], matrix.Expected);
        Assert.Equal(["rollback_canary", "escalate", "no_action"], matrix.Proposed);
        Assert.Equal(2, matrix.Count("rollback_canary", "rollback_canary"));
        Assert.Equal(1, matrix.Count("rollback_canary", "escalate"));
        Assert.Equal(1, matrix.Count(ConfusionMatrix.NoPrescribed, "no_action"));
        Assert.Equal(0, matrix.Count("escalate", "rollback_canary"));
        Assert.Equal(5, matrix.Counts.Sum(row => row.Sum()));
    }

    [Fact]
    public void Verdicts_are_counted_per_outcome_and_rule()
    {
        var denied = new CaseVerdict(VerdictOutcomes.Denied, "shop", false, ["freeze_windows", "max_step_percent"], []);
        var approval = new CaseVerdict(VerdictOutcomes.NeedsApproval, "shop-checkout", false, ["require_approval"], []);
        var figures = ModelFigures.From("m", [Result("a"), Result("b", verdict: denied), Result("c", verdict: denied), Result("d", verdict: approval)]);

        Assert.Equal(1, figures.Verdicts[VerdictOutcomes.Allowed]);
        Assert.Equal(2, figures.Verdicts[VerdictOutcomes.Denied]);
        Assert.Equal(1, figures.Verdicts[VerdictOutcomes.NeedsApproval]);
        Assert.Equal(2, figures.VerdictRules["freeze_windows"]);
        Assert.Equal(1, figures.VerdictRules["require_approval"]);
    }
}
