using Autopilot.Testing;
using Autopilot.Decisions;
using Autopilot.Decisions.Evaluation;

namespace Autopilot.Model.Tests.Evaluation;

/// <summary>Bad flags end the run with exit code 2 and a message naming the flag, before any model is loaded.</summary>
public sealed class EvalArgumentsTests
{
    private static readonly string Root = EvalSamples.RepoRoot;
    private static readonly DateTime Now = new(2026, 11, 25, 12, 45, 0, DateTimeKind.Utc);

    private static async Task<EvalOutcome> Run(EvalArguments arguments) => await EvalRunner.RunAsync(arguments, Root);

    [Theory]
    [InlineData("1.5", "--min-accuracy: 1.5 is not between 0 and 1")]
    [InlineData("-0.1", "--min-accuracy: -0.1 is not between 0 and 1")]
    [InlineData("most", "--min-accuracy: 'most' is not a number; give a fraction between 0 and 1, e.g. 0.9")]
    public async Task A_minimum_accuracy_outside_0_to_1_is_refused(string value, string message)
    {
        var outcome = await Run(new EvalArguments { Models = ["builtin:tiny"], MinAccuracy = value });

        Assert.Equal((EvalRunner.BadInput, message), (outcome.ExitCode, outcome.Error));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("ten")]
    public async Task A_limit_must_be_a_positive_number(string value)
    {
        var outcome = await Run(new EvalArguments { Models = ["builtin:tiny"], Limit = value });

        Assert.Equal(EvalRunner.BadInput, outcome.ExitCode);
        Assert.StartsWith("--limit:", outcome.Error);
    }

    [Fact]
    public async Task A_missing_model_file_suggests_training_or_the_tiny_model()
    {
        var outcome = await Run(new EvalArguments { Models = ["no-such-model.gguf"] });

        Assert.Equal(EvalRunner.BadInput, outcome.ExitCode);
        Assert.Contains("--model: the file no-such-model.gguf does not exist", outcome.Error);
        Assert.Contains("./autopilot train", outcome.Error);
        Assert.Contains("--model builtin:tiny", outcome.Error);
    }

    [Fact]
    public void Without_models_the_shipped_model_is_evaluated_if_it_exists()
    {
        var root = Directory.CreateTempSubdirectory("autopilot-eval-root").FullName;
        var (_, problem) = new EvalArguments().Resolve(root, Now);
        Assert.Equal($"--model: the default model {ShippedModel.ModelPath} does not exist yet; train the default model with `./autopilot train`, "
            + "or evaluate the generated smoke-test model with `--model builtin:tiny`", problem);

        Directory.CreateDirectory(Path.Combine(root, "model"));
        File.WriteAllText(Path.Combine(root, ShippedModel.ModelPath), "GGUF");
        var (plan, _) = new EvalArguments().Resolve(root, Now);
        Assert.Equal(Path.Combine(root, ShippedModel.ModelPath), Assert.Single(plan!.Models).Path);
    }

    [Fact]
    public void Defaults_are_resolved_against_the_repository_root()
    {
        var (plan, problem) = new EvalArguments { Models = ["builtin:tiny"] }.Resolve(Root, Now);

        Assert.Null(problem);
        Assert.Equal(new ModelToEvaluate("builtin:tiny", "builtin:tiny"), Assert.Single(plan!.Models));
        Assert.Equal(Path.Combine(Root, "model", "cases", "heldout"), plan.Cases);
        Assert.Equal(Path.Combine(Root, ".autopilot", "eval", "20261125T124500"), plan.OutDirectory);
        Assert.Equal(Path.Combine(Root, "sops"), plan.Sops);
        Assert.Equal(Path.Combine(Root, "policies"), plan.Policies);
        Assert.Null(plan.MinAccuracy);
    }

    [Fact]
    public async Task A_bad_case_line_is_reported_with_file_line_and_field()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("autopilot-eval-cases").FullName, "bad.jsonl");
        File.WriteAllText(file, "\n{\"id\":\"x\",\"now\":\"2026-11-25T12:45:00Z\",\"workload\":\"shop\",\"alerts\":[],\"expect\":{\"actions\":[\"escalate\"]}}\n");

        var outcome = await Run(new EvalArguments { Models = ["builtin:tiny"], Cases = file });

        Assert.Equal((EvalRunner.BadInput, $"{file}:2: workload: 'shop' is not namespace/name"), (outcome.ExitCode, outcome.Error));
    }

    [Fact]
    public async Task A_missing_case_path_is_reported_under_its_flag()
    {
        var outcome = await Run(new EvalArguments { Models = ["builtin:tiny"], Cases = "no/such/cases" });

        Assert.Equal(EvalRunner.BadInput, outcome.ExitCode);
        Assert.StartsWith("--cases: ", outcome.Error);
    }
}
