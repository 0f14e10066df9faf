namespace Autopilot.Model.Tests.Training;

[Collection(TrainerCollection.Name)]
public sealed class TrainerCommandLineTests
{
    [Theory]
    [InlineData("--epochs", "train", "--model", "m.gguf", "--out", "o.gguf", "--train", "t.jsonl", "--epochs", "zero")]
    [InlineData("--lr", "train", "--model", "m.gguf", "--out", "o.gguf", "--train", "t.jsonl", "--lr", "-1")]
    [InlineData("--min-lr-ratio", "train", "--model", "m.gguf", "--out", "o.gguf", "--train", "t.jsonl", "--min-lr-ratio", "2")]
    [InlineData("--loss", "train", "--model", "m.gguf", "--out", "o.gguf", "--train", "t.jsonl", "--loss", "prompt")]
    [InlineData("--out", "train", "--model", "m.gguf", "--train", "t.jsonl")]
    [InlineData("--bogus", "loss", "--model", "m.gguf", "--data", "d.jsonl", "--bogus", "1")]
    [InlineData("--window", "loss", "--model", "m.gguf", "--data", "d.jsonl", "--window")]
    public void Bad_arguments_exit_2_naming_the_flag(string flag, params string[] args)
    {
        var run = TrainerProcess.Run(args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(flag, run.StandardError);
        Assert.Empty(run.Events);
    }

    [Fact]
    public void Missing_model_file_fails_with_a_clear_error_event()
    {
        using var workspace = new TrainerWorkspace();
        var missing = workspace.File("no-such-model.gguf");
        var data = workspace.Data("train.jsonl", TrainerWorkspace.RandomExamples(2, seed: 1));

        var run = TrainerProcess.Run("train", "--model", missing, "--out", workspace.File("out.gguf"), "--train", data);

        Assert.Equal(1, run.ExitCode);
        var message = run.Single("error").GetProperty("message").GetString();
        Assert.Contains("not found", message);
        Assert.Contains(missing, message);
        Assert.False(File.Exists(workspace.File("out.gguf")));
    }

    [Fact]
    public void Token_outside_the_vocabulary_is_reported_with_file_and_line()
    {
        using var workspace = new TrainerWorkspace();
        var model = workspace.Model(TrainerWorkspace.Small);
        var data = workspace.Data("bad.jsonl", [new TokenExample([1, 5, 6, 2], 1), new TokenExample([1, 5, 100000, 2], 1)]);

        var run = TrainerProcess.Run("loss", "--model", model, "--data", data, "--window", "64");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("bad.jsonl:2", run.Single("error").GetProperty("message").GetString());
    }
}
