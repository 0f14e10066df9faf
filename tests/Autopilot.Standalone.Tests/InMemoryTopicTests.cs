using Autopilot.Standalone.Messaging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Standalone.Tests;

public sealed class InMemoryTopicTests
{
    private static InMemoryTopic<string> Topic(int maxAttempts = 3) => new("alerts",
        new TopicOptions { MaxAttempts = maxAttempts, InitialBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(5), Concurrency = 2 },
        TimeProvider.System, NullLogger.Instance);

    [Fact]
    public async Task Failed_deliveries_are_retried_until_the_subscriber_succeeds()
    {
        await using var topic = Topic(maxAttempts: 5);
        var attempts = 0;
        var done = new TaskCompletionSource();
        topic.Subscribe((_, _) =>
        {
            if (++attempts < 3) throw new IOException("store unavailable");
            done.SetResult();
            return Task.FromResult(DeliveryResult.Success);
        });
        await topic.PublishAsync("a");
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, attempts);
        Assert.Empty(topic.DeadLetters);
    }

    [Fact]
    public async Task A_message_that_keeps_failing_is_dead_lettered_after_max_attempts()
    {
        await using var topic = Topic(maxAttempts: 3);
        var dead = new TaskCompletionSource<DeadLetter<string>>();
        topic.DeadLettered += d => dead.TrySetResult(d);
        var attempts = 0;
        topic.Subscribe((_, _) =>
        {
            Interlocked.Increment(ref attempts);
            return Task.FromResult(DeliveryResult.Retry);
        });
        await topic.PublishAsync("poison");
        var letter = await dead.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("poison", letter.Message);
        Assert.Equal(3, letter.Attempts);
        Assert.Equal(3, attempts);
        Assert.Equal(0, topic.Pending);
    }

    [Fact]
    public async Task A_dropped_message_is_dead_lettered_without_retries()
    {
        await using var topic = Topic();
        var dead = new TaskCompletionSource<DeadLetter<string>>();
        topic.DeadLettered += d => dead.TrySetResult(d);
        topic.Subscribe((_, _) => Task.FromResult(DeliveryResult.Drop));
        await topic.PublishAsync("malformed");
        Assert.Equal(1, (await dead.Task.WaitAsync(TimeSpan.FromSeconds(10))).Attempts);
    }

    [Fact]
    public void Backoff_doubles_and_is_capped()
    {
        var topic = new InMemoryTopic<string>("t", new TopicOptions { InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(350) },
            TimeProvider.System, NullLogger.Instance);
        Assert.Equal(TimeSpan.FromMilliseconds(100), topic.Backoff(1));
        Assert.Equal(TimeSpan.FromMilliseconds(200), topic.Backoff(2));
        Assert.Equal(TimeSpan.FromMilliseconds(350), topic.Backoff(3));
    }
}
