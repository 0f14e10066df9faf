using Autopilot.InferencePool.Engine;
using Autopilot.InferencePool.Engine.Models;
using Autopilot.InferencePool.Engine.Options;
using Autopilot.InferencePool.Engine.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.InferencePool.Tests;

public sealed class ModelLoadingTests
{
    private static string? Validate(PoolOptions options)
    {
        var problems = options.Problems();
        return problems.Count > 0 ? string.Join("; ", problems) : null;
    }

    [Fact]
    public async Task Loads_the_generated_model_and_reads_its_shape_from_the_header()
    {
        var info = GgufFile.Read(TestModel.Path_);
        Assert.Equal("llama", info.Architecture);
        Assert.Equal(2, info.Number("block_count"));

        await using var engine = await TestModel.LoadAsync();
        Assert.Equal("autopilot-tiny", engine.ModelName);
        Assert.Equal("plain", engine.PromptTemplateName);
        Assert.True(engine.CountTokens("hello world") >= 11);
    }

    [Fact]
    public void Missing_model_file_fails_validation_naming_the_key()
    {
        var error = Validate(TestModel.Options(o => o.ModelPath = "/nonexistent/model.gguf"));

        Assert.NotNull(error);
        Assert.Contains("InferencePool:ModelPath", error);
        Assert.Contains("does not exist", error);
    }

    [Fact]
    public void File_that_is_not_gguf_fails_validation()
    {
        var path = TestModel.TempFile("notes.gguf");
        File.WriteAllText(path, "this is a text file, not a model, but it is long enough to have a header");

        Assert.Contains("not a GGUF file", Validate(TestModel.Options(o => o.ModelPath = path)));
    }

    [Fact]
    public async Task Truncated_model_fails_validation_and_loading_with_the_reason()
    {
        var path = TestModel.TempFile("truncated.gguf");
        var bytes = await File.ReadAllBytesAsync(TestModel.Path_);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)]);

        Assert.Contains("truncated", Validate(TestModel.Options(o => o.ModelPath = path)));
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => TestModel.LoadAsync(o => o.ModelPath = path));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public async Task Corrupt_tensor_table_is_refused_before_native_loading()
    {
        var path = TestModel.TempFile("corrupt.gguf");
        var bytes = await File.ReadAllBytesAsync(TestModel.Path_);
        // Overwrite the tensor count with an absurd value.
        BitConverter.GetBytes(ulong.MaxValue / 2).CopyTo(bytes, 8);
        await File.WriteAllBytesAsync(path, bytes);

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => TestModel.LoadAsync(o => o.ModelPath = path));
        Assert.Contains("corrupt", error.Message);
    }

    [Fact]
    public async Task KV_cache_over_budget_is_refused_naming_the_options()
    {
        var error = await Assert.ThrowsAsync<ModelLoadException>(() =>
            InferencePoolEngine.LoadAsync(TestModel.Options(o => { o.ContextSize = 65536; o.MaxConcurrentSessions = 64; o.KvCacheBudgetMb = 64; }),
                NullLoggerFactory.Instance, new PoolMetrics()));

        Assert.Contains("KvCacheBudgetMb", error.Message);
        Assert.Contains("ContextSize", error.Message);
    }

    [Theory]
    [InlineData("ContextSize", "InferencePool:ContextSize is 10")]
    [InlineData("MaxConcurrentSessions", "InferencePool:MaxConcurrentSessions is 0")]
    [InlineData("PromptTemplate", "InferencePool:PromptTemplate is 'mistral'")]
    [InlineData("ModelPath", "builtin models are")]
    public void Invalid_option_is_named_with_the_valid_range(string option, string expected)
    {
        var options = TestModel.Options(o =>
        {
            switch (option)
            {
                case "ContextSize": o.ContextSize = 10; break;
                case "MaxConcurrentSessions": o.MaxConcurrentSessions = 0; break;
                case "PromptTemplate": o.PromptTemplate = "mistral"; break;
                case "ModelPath": o.ModelPath = "builtin:huge"; break;
            }
        });

        Assert.Contains(expected, Validate(options));
    }

    [Fact]
    public void Builtin_tiny_model_is_valid_configuration()
    {
        Assert.Null(Validate(TestModel.Options(o => o.ModelPath = "builtin:tiny")));
    }
}
