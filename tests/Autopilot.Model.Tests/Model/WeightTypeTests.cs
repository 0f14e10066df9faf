using Autopilot.Decisions.Training;
using Autopilot.InferencePool.Engine.Models;
using Autopilot.Model.Tests.Training;

namespace Autopilot.Model.Tests.Model;

/// <summary>The trained f32 model is written in the weight type `train --weights` names, by llama.cpp's quantizer.</summary>
public sealed class WeightTypeTests
{
    [Fact]
    public void A_q8_0_model_is_a_smaller_valid_gguf_marked_q8_0()
    {
        using var workspace = new TrainerWorkspace();
        var trained = workspace.Model(TrainerWorkspace.Small, "trained.gguf");
        var output = workspace.File("decider.gguf");

        DeciderModelFile.Quantize(trained, output, "q8_0");

        Assert.Null(GgufFile.Check(output));
        Assert.Equal(7L, Convert.ToInt64(GgufFile.Read(output).Metadata["general.file_type"])); // LLAMA_FTYPE_MOSTLY_Q8_0
        Assert.True(new FileInfo(output).Length < new FileInfo(trained).Length / 2);
        Assert.False(File.Exists(output + ".tmp"));
    }

    [Fact]
    public void F32_writes_the_trained_file_unchanged()
    {
        using var workspace = new TrainerWorkspace();
        var trained = workspace.Model(TrainerWorkspace.Small, "trained.gguf");
        var output = workspace.File("decider.gguf");

        DeciderModelFile.Quantize(trained, output, "f32");

        Assert.Equal(File.ReadAllBytes(trained), File.ReadAllBytes(output));
    }

    [Fact]
    public void An_unknown_weight_type_is_refused_naming_the_valid_ones()
    {
        using var workspace = new TrainerWorkspace();
        var trained = workspace.Model(TrainerWorkspace.Small, "trained.gguf");

        var error = Assert.Throws<ArgumentException>(() => DeciderModelFile.Quantize(trained, workspace.File("x.gguf"), "q4_k"));

        Assert.Contains("q8_0, f16, f32", error.Message);
        Assert.False(File.Exists(workspace.File("x.gguf")));
    }
}
