using Autopilot.InferencePool.Client;

namespace Autopilot.InferencePool.Tests;

public sealed class SchedulerTests
{
    private static async Task<CompletionResult> RunAsync(Engine.InferencePoolEngine engine, CompletionRequest request, string caller = "t")
    {
        var lease = await engine.LeaseAsync(caller, default);
        try
        {
            return await engine.CompleteAsync(caller, lease.LeaseId, request, default);
        }
        finally
        {
            engine.Release(caller, lease.LeaseId);
        }
    }

    [Fact]
    public async Task Concurrent_sessions_beyond_the_slot_count_all_complete()
    {
        await using var engine = await TestModel.LoadAsync(o => { o.MaxConcurrentSessions = 3; o.QueueLimit = 16; });

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            RunAsync(engine, GenerationTests.Request($"alert {i}", maxTokens: 8 + i), caller: $"actor-{i}")));

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(8 + i, results[i].CompletionTokens);
            Assert.Equal(FinishReasons.Length, results[i].FinishReason);
        }
        Assert.Equal(0, engine.Leases.ActiveCount);
    }

    [Fact]
    public async Task Batched_output_equals_the_same_request_decoded_alone()
    {
        await using var engine = await TestModel.LoadAsync();
        var request = GenerationTests.Request("checkout-v2 5xx at 12%", maxTokens: 24, seed: 3, temperature: 0.8f);

        var alone = await RunAsync(engine, request);
        var together = await Task.WhenAll(
            RunAsync(engine, request),
            RunAsync(engine, GenerationTests.Request("other workload", maxTokens: 30, seed: 9, temperature: 0.8f)),
            RunAsync(engine, GenerationTests.Request("third", system: "A different system prompt.", maxTokens: 20)));

        Assert.Equal(alone.Text, together[0].Text);
    }

    [Fact]
    public async Task Prefix_reuse_gives_the_same_output_as_no_reuse_and_counts_reused_tokens()
    {
        await using var reusing = await TestModel.LoadAsync(o => o.PrefixReuse = true);
        await using var plain = await TestModel.LoadAsync(o => o.PrefixReuse = false);
        var system = "You are Autopilot. Propose one action as JSON. Tools: shift_traffic, rollback, escalate. " + new string('x', 120);

        foreach (var (seed, temperature) in new[] { (1, 0f), (2, 0.7f), (3, 1.2f) })
        {
            var request = GenerationTests.Request($"incident {seed}", system: system, maxTokens: 24, seed: seed, temperature: temperature);
            var first = await RunAsync(reusing, request);
            var second = await RunAsync(reusing, request);
            var reference = await RunAsync(plain, request);

            Assert.Equal(reference.Text, first.Text);
            Assert.Equal(reference.Text, second.Text);
            Assert.True(second.PrefixTokensReused > 120, $"reused {second.PrefixTokensReused} prefix tokens");
            Assert.Equal(0, reference.PrefixTokensReused);
        }
    }

    [Fact]
    public async Task Cancelled_completion_frees_the_lease_for_the_next_completion()
    {
        await using var engine = await TestModel.LoadAsync(o => (o.MaxConcurrentSessions, o.ContextSize, o.MaxOutputTokens) = (1, 2048, 1500));
        var lease = await engine.LeaseAsync("a", default);
        using var cancel = new CancellationTokenSource();

        // A grammar that cannot end early: the completion runs 1,500 steps unless the cancellation stops it, far longer
        // than this test may be paused between starting it and cancelling it on a busy machine.
        var running = engine.CompleteAsync("a", lease.LeaseId,
            GenerationTests.Request("long", grammar: "root ::= [ab]{1500}", maxTokens: 1500) with { DeadlineMs = 120_000 }, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);

        var next = await engine.CompleteAsync("a", lease.LeaseId, GenerationTests.Request("short", maxTokens: 4), default);
        Assert.Equal(4, next.CompletionTokens);
    }

    [Fact]
    public async Task Returning_a_lease_mid_completion_stops_it_and_hands_the_session_to_a_waiter()
    {
        await using var engine = await TestModel.LoadAsync(o => o.MaxConcurrentSessions = 1);
        var lease = await engine.LeaseAsync("a", default);
        var running = engine.CompleteAsync("a", lease.LeaseId, GenerationTests.Request("long", maxTokens: 250), default);
        var waiting = engine.LeaseAsync("b", default);

        engine.Release("a", lease.LeaseId);

        var next = await waiting;
        await Assert.ThrowsAsync<LeaseNotFoundException>(() => running);
        var result = await engine.CompleteAsync("b", next.LeaseId, GenerationTests.Request("next", maxTokens: 5), default);
        Assert.Equal(5, result.CompletionTokens);
    }

    [Fact]
    public async Task Deadline_stops_generation_with_the_deadline_reason()
    {
        await using var engine = await TestModel.LoadAsync();

        var result = await RunAsync(engine, GenerationTests.Request("slow", maxTokens: 256) with { DeadlineMs = 1 });

        Assert.Equal(FinishReasons.Deadline, result.FinishReason);
        Assert.True(result.CompletionTokens < 256);
    }

    [Theory]
    [InlineData(0, null, "maxTokens")]
    [InlineData(16, 5f, "temperature")]
    public async Task Invalid_limits_are_refused_naming_the_field(int maxTokens, float? temperature, string field)
    {
        await using var engine = await TestModel.LoadAsync();

        var error = await Assert.ThrowsAsync<PoolRequestException>(() =>
            RunAsync(engine, GenerationTests.Request("x", maxTokens: maxTokens) with { Temperature = temperature }));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public async Task Prompt_longer_than_the_session_context_is_refused()
    {
        await using var engine = await TestModel.LoadAsync(o => o.ContextSize = 128);

        var error = await Assert.ThrowsAsync<PoolRequestException>(() =>
            RunAsync(engine, GenerationTests.Request(new string('a', 400), maxTokens: 8)));
        Assert.Equal("messages", error.Field);
    }
}
