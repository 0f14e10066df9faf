using Autopilot.Testing;
using Autopilot.InferencePool.Client;
using Autopilot.InferencePool.Client.SemanticKernel;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Autopilot.InferencePool.Tests;

/// <summary>The Semantic Kernel service's own bookkeeping around a lease, against a scripted pool.</summary>
public sealed class ChatCompletionServiceTests
{
    /// <summary>A pool whose lease takes <see cref="LeaseTakes"/> of (manual) time and that records what it is sent.</summary>
    private sealed class ScriptedPool(HandMovedClock time) : IInferencePool
    {
        public TimeSpan LeaseTakes { get; init; }
        public TimeSpan? AskedToWait { get; private set; }
        public CompletionRequest? Sent { get; private set; }
        public List<string> Released { get; } = [];

        public Task<SessionLease> LeaseAsync(TimeSpan? maxWait = null, CancellationToken cancellationToken = default)
        {
            AskedToWait = maxWait;
            time.Advance(LeaseTakes);
            return Task.FromResult(new SessionLease("lease-1", time.GetUtcNow().AddMinutes(1), 60));
        }

        public Task<CompletionResult> CompleteAsync(string leaseId, CompletionRequest request, CancellationToken cancellationToken = default)
        {
            Sent = request;
            return Task.FromResult(new CompletionResult("{}", FinishReasons.Stop, 10, 0, 1));
        }

        public Task ReleaseAsync(string leaseId, CancellationToken cancellationToken = default)
        {
            Released.Add(leaseId);
            return Task.CompletedTask;
        }
    }

    private static ChatHistory History()
    {
        var history = new ChatHistory("You are Autopilot.");
        history.AddUserMessage("checkout-v2 fails");
        return history;
    }

    private static PromptExecutionSettings Settings(int deadlineMs, int leaseWaitMs) => new()
    {
        ExtensionData = new Dictionary<string, object>
        {
            [PoolExecutionSettings.DeadlineMs] = deadlineMs,
            [PoolExecutionSettings.LeaseWaitMs] = leaseWaitMs,
        },
    };

    [Fact]
    public async Task Time_spent_waiting_for_a_session_comes_off_the_deadline()
    {
        var time = new HandMovedClock();
        var pool = new ScriptedPool(time) { LeaseTakes = TimeSpan.FromMilliseconds(1_200) };
        var chat = new InferencePoolChatCompletionService(pool, time: time);

        await chat.GetChatMessageContentAsync(History(), Settings(deadlineMs: 3_000, leaseWaitMs: 1_500));

        Assert.Equal(TimeSpan.FromMilliseconds(1_500), pool.AskedToWait);
        Assert.Equal(1_800, pool.Sent!.DeadlineMs);
        Assert.Equal(["lease-1"], pool.Released);
    }

    [Fact]
    public async Task A_deadline_used_up_by_the_wait_gives_the_session_back_without_generating()
    {
        var time = new HandMovedClock();
        var pool = new ScriptedPool(time) { LeaseTakes = TimeSpan.FromMilliseconds(2_000) };
        var chat = new InferencePoolChatCompletionService(pool, time: time);

        var busy = await Assert.ThrowsAsync<PoolBusyException>(() => chat.GetChatMessageContentAsync(History(), Settings(deadlineMs: 2_000, leaseWaitMs: 5_000)));

        Assert.Contains("2000 ms", busy.Message);
        Assert.Null(pool.Sent);
        Assert.Equal(["lease-1"], pool.Released);
    }
}
