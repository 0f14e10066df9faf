using Autopilot.Standalone.InProcessRuntime;

namespace Autopilot.Standalone.Tests;

public sealed class KeyedExecutorTests
{
    [Fact]
    public async Task Turns_of_one_key_never_overlap_and_run_in_arrival_order()
    {
        var executor = new KeyedExecutor();
        var inside = 0;
        var overlapped = false;
        var order = new List<int>();
        var turns = Enumerable.Range(0, 50).Select(i => executor.RunAsync("incident:shop/checkout", async () =>
        {
            if (Interlocked.Increment(ref inside) > 1) overlapped = true;
            await Task.Yield();
            lock (order) order.Add(i);
            Interlocked.Decrement(ref inside);
        })).ToList();
        await Task.WhenAll(turns).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(overlapped);
        Assert.Equal(Enumerable.Range(0, 50), order);
    }

    [Fact]
    public async Task Different_keys_run_in_parallel()
    {
        var executor = new KeyedExecutor();
        var bothInside = new TaskCompletionSource();
        var inside = 0;
        async Task Turn()
        {
            if (Interlocked.Increment(ref inside) == 2) bothInside.TrySetResult();
            await bothInside.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        await Task.WhenAll(executor.RunAsync("a", Turn), executor.RunAsync("b", Turn));
        Assert.True(bothInside.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_failing_turn_fails_its_caller_only()
    {
        var executor = new KeyedExecutor();
        var failing = executor.RunAsync<int>("k", () => throw new InvalidOperationException("boom"));
        var next = executor.RunAsync("k", () => Task.FromResult(7));
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal(7, await next);
        Assert.Equal(0, executor.ActiveKeys);
    }
}
