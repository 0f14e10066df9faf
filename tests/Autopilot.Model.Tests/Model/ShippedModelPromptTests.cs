using Autopilot.Testing;
using Autopilot.Decisions;
using Autopilot.Decisions.Cases;
using Autopilot.Decisions.Training;
using Autopilot.InferencePool.Client;
using Autopilot.InferencePool.Engine.Prompting;
using LLama;
using LLama.Common;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Model.Tests.Model;

/// <summary>What the shipped model reads: its own chat template and vocabulary, the compact planning prompt.</summary>
public sealed class ShippedModelPromptTests : IDisposable
{
    private readonly LLamaWeights _weights = LLamaWeights.LoadFromFile(
        new ModelParams(Path.Combine(Repo.Root, ShippedModel.ModelPath)) { VocabOnly = true, GpuLayerCount = 0 });

    private PromptEncoder Encoder => new(_weights, "auto", DeciderModelFile.Name, NullLogger.Instance);

    [Fact]
    public void The_chat_template_comes_from_the_model_file()
    {
        Assert.Equal("model", Encoder.TemplateName);
        var prompt = Encoder.Encode([new PoolChatMessage("system", "rules"), new PoolChatMessage("user", "facts")]);
        // ChatML as llama.cpp applies it: the system part alone is the shared prefix.
        Assert.Equal("<|im_start|>system\nrules<|im_end|>\n", prompt.Prefix);
    }

    [Fact]
    public async Task Held_out_planning_prompts_stay_compact()
    {
        var cases = CaseFiles.Read(Path.Combine(Repo.Root, ShippedModel.HeldOutCases));
        var work = Directory.CreateTempSubdirectory("prompt-size-").FullName;
        var rendered = await new TrainingSet(Path.Combine(Repo.Root, ShippedModel.Sops), work).RenderAsync(cases, CancellationToken.None);

        var sizes = rendered.Select(c => Encoder.Encode([new PoolChatMessage("system", c.System), new PoolChatMessage("user", c.User)]).Count)
            .Order().ToList();
        Assert.True(sizes.Count > 300, $"{sizes.Count} prompts");
        // The target is 400 tokens; long backend names repeated on every line, earlier actions and noise alerts push a
        // few past it (the fact sheet's own budget still bounds them).
        Assert.True(sizes[(int)(sizes.Count * 0.95)] <= 400, $"95 % of prompts should be at most 400 tokens; the 95th percentile is {sizes[(int)(sizes.Count * 0.95)]}");
        Assert.True(sizes.Average() < 300, $"prompts average {sizes.Average():0} tokens");
        Assert.True(sizes[^1] <= 640, $"the longest prompt is {sizes[^1]} tokens");
    }

    [Theory]
    [InlineData("wallet-v42")]
    [InlineData("export_svc-2026.01-rc2")]
    [InlineData("thumbnail-b")]
    public void A_backend_name_is_the_same_tokens_after_a_space_a_quote_or_an_equals_sign(string name)
    {
        int[] Tokens(string text) => [.. Encoder.Tokenize(text, addBos: false).Select(t => (int)t)];
        var alone = Tokens(name);
        foreach (var before in new[] { "version ", "\"reason\":\"", "version=" })
        {
            var context = Tokens(before);
            Assert.Equal(alone, Tokens(before + name + " err")[context.Length..(context.Length + alone.Length)]);
        }
    }

    [Fact]
    public void Numbers_are_written_one_digit_per_token()
    {
        Assert.Equal(5, Encoder.Tokenize("40.25", addBos: false).Length);
    }

    public void Dispose() => _weights.Dispose();
}
