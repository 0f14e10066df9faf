using Autopilot.Decisions;
using Autopilot.Decisions.Cases;
using Autopilot.Decisions.Evaluation;

namespace Autopilot.Model.Tests.Judgement;

/// <summary>
/// The shipped model decides well on cases it never saw: a fixed subset of the held-out split (the first 100 generated
/// cases and every hand-written hard case) through the real planning path, against the issue's targets. The full
/// held-out figures are printed by `./autopilot eval` and recorded in docs/model.md; this is the gate CI holds.
/// </summary>
public sealed class ShippedModelEvalTests
{
    [Fact]
    public async Task The_shipped_model_meets_the_decision_targets_on_held_out_cases()
    {
        var root = RepoRoot.Path;
        var heldOut = Path.Combine(root, ShippedModel.HeldOutCases);
        var subset = CaseFiles.Read(Path.Combine(heldOut, "generated.jsonl")).Take(100)
            .Concat(CaseFiles.Read(Path.Combine(heldOut, "hard.jsonl"))).ToList();
        var work = Directory.CreateTempSubdirectory("shipped-eval-").FullName;
        var cases = Path.Combine(work, "subset.jsonl");
        CaseFiles.Write(cases, subset);

        var outcome = await EvalRunner.RunAsync(new EvalPlan
        {
            Models = [new ModelToEvaluate("shipped", Path.Combine(root, ShippedModel.ModelPath))],
            Cases = cases,
            OutDirectory = work,
            Sops = Path.Combine(root, ShippedModel.Sops),
            Policies = Path.Combine(root, ShippedModel.Policies),
            MinAccuracy = 0.95,
        });

        Assert.Null(outcome.Error);
        var figures = Assert.Single(outcome.Report!.Models).Figures;
        var failures = string.Join("\n", Assert.Single(outcome.Report.Models).Cases.Where(r => !r.CorrectAction)
            .Select(r => $"{r.Id}: expected {string.Join("|", r.ExpectedActions)}, proposed {r.Action} ({r.Source}): {r.Reason}"));
        Assert.True(figures.Accuracy.Rate >= 0.95, $"action accuracy {figures.Accuracy}\n{failures}");
        Assert.Equal(0, figures.InvalidOutput.Count);
        Assert.True(figures.Grounded.Rate >= 0.90, $"grounded reasons {figures.Grounded}");
        Assert.Equal(EvalRunner.Passed, outcome.ExitCode);
    }
}
