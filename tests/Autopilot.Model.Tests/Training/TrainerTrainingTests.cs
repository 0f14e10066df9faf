using System.Text.Json;

namespace Autopilot.Model.Tests.Training;

[Collection(TrainerCollection.Name)]
public sealed class TrainerTrainingTests
{
    [Fact]
    public void Training_lowers_the_loss_on_a_learnable_pattern_and_reports_progress()
    {
        using var workspace = new TrainerWorkspace();
        var model = workspace.Model(TrainerWorkspace.Small);
        var examples = TrainerWorkspace.PatternExamples(16);    // 14 inputs each: 4 per 64-slot window, 4 windows an epoch
        var data = workspace.Data("pattern.jsonl", examples);
        var trained = workspace.File("trained.gguf");

        var run = TrainerProcess.Run("train", "--model", model, "--out", trained, "--train", data, "--valid", data,
            "--window", "64", "--epochs", "8", "--lr", "1e-2", "--warmup", "4", "--threads", "2");
        Assert.True(run.ExitCode == 0, run.ToString());

        var start = run.Single("start");
        Assert.Equal(16, start.GetProperty("examples").GetInt32());
        Assert.Equal(0, start.GetProperty("skipped").GetInt32());
        Assert.Equal(4, start.GetProperty("windows").GetInt32());
        Assert.Equal(64, start.GetProperty("window").GetInt32());
        Assert.Equal(4 * 13, start.GetProperty("rows").GetInt32());   // 12 pattern tokens + EOS counted per example
        Assert.Equal(32, start.GetProperty("totalSteps").GetInt64());
        Assert.Equal(8, start.GetProperty("epochs").GetInt32());
        Assert.True(start.GetProperty("parameters").GetInt64() > 100_000);

        var steps = run.OfType("step").ToList();
        Assert.Equal([10L, 20L, 30L, 32L], steps.Select(s => s.GetProperty("step").GetInt64()));
        Assert.All(steps, s => Assert.True(s.GetProperty("tokensPerSecond").GetDouble() > 0));
        var epochs = run.OfType("epoch").ToList();
        Assert.Equal(8, epochs.Count);
        Assert.All(epochs, e => Assert.Equal(JsonValueKind.Number, e.GetProperty("validLoss").ValueKind));
        Assert.Equal(Path.GetFullPath(trained), run.Single("done").GetProperty("out").GetString());

        var before = Loss(model, data);
        var after = Loss(trained, data);
        Assert.True(after < before / 3, $"loss {before} -> {after}");
        Assert.Equal(after, epochs[^1].GetProperty("validLoss").GetDouble(), 6);
        Assert.True(epochs[^1].GetProperty("trainAccuracy").GetDouble() > epochs[0].GetProperty("trainAccuracy").GetDouble());
    }

    [Fact]
    public void Same_seed_gives_byte_identical_weights_and_another_seed_does_not()
    {
        using var workspace = new TrainerWorkspace();
        var model = workspace.Model(TrainerWorkspace.Small);
        var data = workspace.Data("train.jsonl", TrainerWorkspace.RandomExamples(30, seed: 5));

        byte[] Train(string seed, string name)
        {
            var output = workspace.File(name);
            // Two threads: ggml splits work by output rows, so the result does not depend on thread timing.
            var run = TrainerProcess.Run("train", "--model", model, "--out", output, "--train", data, "--window", "64",
                "--epochs", "2", "--seed", seed, "--threads", "2");
            Assert.True(run.ExitCode == 0, run.ToString());
            return File.ReadAllBytes(output);
        }

        var first = Train("7", "a.gguf");
        Assert.Equal(first, Train("7", "b.gguf"));
        Assert.NotEqual(first, Train("8", "c.gguf"));
        Assert.NotEqual(File.ReadAllBytes(model), first);
    }

    private static double Loss(string model, string data)
    {
        var run = TrainerProcess.Run("loss", "--model", model, "--data", data, "--window", "64");
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Single("loss").GetProperty("loss").GetDouble();
    }
}
