using Autopilot.Testing;
using Autopilot.Decisions.Cases;
using Autopilot.Decisions.Evaluation;

namespace Autopilot.Model.Tests.Evaluation;

/// <summary>
/// The whole path with the generated tiny model (random weights): perception, the real planner over an in-process
/// pool, the shipped policy, scoring and both report files. Only the plumbing is checked, never the model's choices.
/// </summary>
public sealed class EvalRunnerTests
{
    private static EvalArguments Arguments(string cases, string? minAccuracy = null) => new()
    {
        Models = ["builtin:tiny"],
        Cases = cases,
        Out = Directory.CreateTempSubdirectory("autopilot-eval-out").FullName,
        MinAccuracy = minAccuracy,
    };

    [Fact]
    public async Task Every_case_gets_a_record_scored_through_the_real_planner()
    {
        var cases = EvalSamples.WriteCases(EvalSamples.BadCanary(), EvalSamples.Uncovered(), EvalSamples.Flapping());

        var outcome = await EvalRunner.RunAsync(Arguments(cases), EvalSamples.RepoRoot);

        Assert.Null(outcome.Error);
        Assert.Equal(EvalRunner.Passed, outcome.ExitCode);
        var model = Assert.Single(outcome.Report!.Models);
        Assert.Equal(["canary-40pct", "no-sop", "flapping"], model.Cases.Select(c => c.Id));
        Assert.Equal(3, model.Figures.Cases);
        Assert.All(model.Cases, c => Assert.Contains(c.Verdict.Outcome, VerdictOutcomes.All));

        var canary = model.Cases[0];
        Assert.Equal("canary-high-error-rate", canary.MatchedSop);
        Assert.True(canary.ModelAsked);
        Assert.True(canary.PromptTokens > 0);
        Assert.True(canary.CompletionTokens > 0);
        Assert.Equal("shop-checkout", canary.Verdict.Policy);

        var uncovered = model.Cases[1];
        Assert.Equal(("Fallback", "escalate", true), (uncovered.Source, uncovered.Action, uncovered.CorrectAction));
        Assert.False(uncovered.ModelAsked);
        Assert.Equal(VerdictOutcomes.Allowed, uncovered.Verdict.Outcome);

        Assert.Equal("alert-flapping", model.Cases[2].MatchedSop);
        Assert.True(File.Exists(outcome.JsonPath));
        Assert.Contains("| figure | builtin:tiny |", await File.ReadAllTextAsync(outcome.MarkdownPath!));
    }

    [Fact]
    public async Task A_model_meeting_the_minimum_accuracy_exits_0()
    {
        // No SOP covers this alert, so the planner escalates without the model: accuracy is 100 % whatever it weighs.
        var cases = EvalSamples.WriteCases(EvalSamples.Uncovered());

        var outcome = await EvalRunner.RunAsync(Arguments(cases, minAccuracy: "1"), EvalSamples.RepoRoot);

        Assert.Equal(EvalRunner.Passed, outcome.ExitCode);
        Assert.Empty(outcome.Report!.BelowMinAccuracy);
    }

    [Fact]
    public async Task A_model_below_the_minimum_accuracy_exits_1_and_is_named()
    {
        // The same certain escalation, now declared wrong: accuracy is 0 %.
        var cases = EvalSamples.WriteCases(EvalSamples.Uncovered(expect: new CaseExpectation { Forbidden = ["escalate"] }));

        var outcome = await EvalRunner.RunAsync(Arguments(cases, minAccuracy: "0.5"), EvalSamples.RepoRoot);

        Assert.Equal(EvalRunner.BelowMinAccuracy, outcome.ExitCode);
        Assert.Equal(["builtin:tiny"], outcome.Report!.BelowMinAccuracy);
        Assert.Contains("below it: builtin:tiny", await File.ReadAllTextAsync(outcome.MarkdownPath!));
    }

    [Fact]
    public async Task A_model_that_cannot_be_loaded_is_named_with_exit_2()
    {
        var broken = Path.Combine(Directory.CreateTempSubdirectory("autopilot-eval-model").FullName, "broken.gguf");
        await File.WriteAllTextAsync(broken, "not a GGUF file");
        var cases = EvalSamples.WriteCases(EvalSamples.Uncovered());

        var outcome = await EvalRunner.RunAsync(Arguments(cases) with { Models = [broken] }, EvalSamples.RepoRoot);

        Assert.Equal(EvalRunner.BadInput, outcome.ExitCode);
        Assert.StartsWith($"--model {broken}: cannot be loaded: ", outcome.Error);
        Assert.Null(outcome.Report);
    }

    [Fact]
    public async Task Limit_takes_the_first_cases_in_file_order()
    {
        var cases = EvalSamples.WriteCases(EvalSamples.Uncovered("first"), EvalSamples.Uncovered("second"), EvalSamples.Uncovered("third"));

        var outcome = await EvalRunner.RunAsync(Arguments(cases) with { Limit = "2" }, EvalSamples.RepoRoot);

        Assert.Equal(["first", "second"], outcome.Report!.Models[0].Cases.Select(c => c.Id));
    }
}
