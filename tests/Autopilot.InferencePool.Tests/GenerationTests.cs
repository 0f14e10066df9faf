using System.Text.Json;
using Autopilot.InferencePool.Client;
using Autopilot.InferencePool.Engine;

namespace Autopilot.InferencePool.Tests;

public sealed class GenerationTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private InferencePoolEngine Engine => fixture.Engine;

    internal static CompletionRequest Request(string user, string? system = "You are an SRE assistant.", string? grammar = null,
        int maxTokens = 16, int? seed = 7, float temperature = 0) => new()
    {
        Messages = system is null
            ? [new PoolChatMessage("user", user)]
            : [new PoolChatMessage("system", system), new PoolChatMessage("user", user)],
        Grammar = grammar,
        MaxTokens = maxTokens,
        Seed = seed,
        Temperature = temperature,
        // These tests check what is generated, not how fast: the deadline the pool derives from its measured speed
        // can cut an answer short when CI runs other test assemblies on the same cores (SchedulerTests set their own).
        DeadlineMs = 120_000,
    };

    private async Task<CompletionResult> RunAsync(CompletionRequest request, string caller = "test")
    {
        var lease = await Engine.LeaseAsync(caller, default);
        try
        {
            return await Engine.CompleteAsync(caller, lease.LeaseId, request, default);
        }
        finally
        {
            Engine.Release(caller, lease.LeaseId);
        }
    }

    [Fact]
    public async Task Generates_up_to_max_tokens_from_the_generated_model()
    {
        var result = await RunAsync(Request("checkout-v2 returns 5xx", maxTokens: 12));

        Assert.Equal(12, result.CompletionTokens);
        Assert.Equal(FinishReasons.Length, result.FinishReason);
        Assert.False(string.IsNullOrEmpty(result.Text));
        Assert.True(result.PromptTokens > 10);
    }
}
