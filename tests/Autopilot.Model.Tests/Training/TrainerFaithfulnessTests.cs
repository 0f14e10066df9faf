namespace Autopilot.Model.Tests.Training;

/// <summary>
/// The trainer's graph must compute what llama.cpp inference computes, or training optimises a different model from
/// the one that is served. The loss the trainer reports is compared with the loss through LLamaSharp on the same
/// tokens, before and after training (which also proves the written GGUF loads and holds the trained weights).
/// </summary>
[Collection(TrainerCollection.Name)]
public sealed class TrainerFaithfulnessTests
{
    private const double RelativeTolerance = 1e-3;

    [Theory]
    [InlineData(4, "completion")]
    [InlineData(2, "all")] // grouped-query attention, every prediction counted
    public void Reported_loss_equals_llama_cpp_inference_loss(int kvHeads, string scope)
    {
        using var workspace = new TrainerWorkspace();
        var model = workspace.Model(TrainerWorkspace.Small with { KvHeads = kvHeads });
        var batch = TrainerWorkspace.RandomExamples(8, seed: 11);
        var batchFile = workspace.Data("batch.jsonl", batch);

        var untrained = AssertTrainerLossEqualsInference(model, batchFile, batch, scope);

        var trained = workspace.File("trained.gguf");
        var train = TrainerProcess.Run("train", "--model", model, "--out", trained,
            "--train", workspace.Data("train.jsonl", TrainerWorkspace.RandomExamples(40, seed: 3)),
            "--window", "64", "--max-steps", "20", "--warmup", "5", "--lr", "3e-3", "--loss", scope);
        Assert.True(train.ExitCode == 0, train.ToString());

        var afterTraining = AssertTrainerLossEqualsInference(trained, batchFile, batch, scope);
        Assert.True(Math.Abs(afterTraining - untrained) > 1e-3, $"training did not change the weights: {untrained} -> {afterTraining}");
    }

    private static double AssertTrainerLossEqualsInference(string model, string dataFile, IReadOnlyList<TokenExample> examples, string scope)
    {
        // A 64-slot window packs several examples together: the block-diagonal mask must keep them apart.
        var run = TrainerProcess.Run("loss", "--model", model, "--data", dataFile, "--window", "64", "--loss", scope);
        Assert.True(run.ExitCode == 0, run.ToString());
        var reported = run.Single("loss");
        var trainerLoss = reported.GetProperty("loss").GetDouble();

        var completionOnly = scope == "completion";
        var expectedRows = examples.Sum(e => e.Tokens.Length - 1 - (completionOnly ? Math.Max(e.Prompt - 1, 0) : 0));
        Assert.Equal(expectedRows, reported.GetProperty("rows").GetInt64());

        var inferenceLoss = InferenceLoss.Mean(model, examples, completionOnly);
        Assert.True(Math.Abs(trainerLoss - inferenceLoss) <= RelativeTolerance * Math.Abs(inferenceLoss),
            $"trainer loss {trainerLoss} vs llama.cpp inference loss {inferenceLoss} ({model})");
        return trainerLoss;
    }
}
