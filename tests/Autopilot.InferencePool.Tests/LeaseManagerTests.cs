using Autopilot.Testing;
using Autopilot.InferencePool.Client;
using Autopilot.InferencePool.Engine.Leases;
using Autopilot.InferencePool.Engine.Options;
using Autopilot.InferencePool.Engine.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.InferencePool.Tests;

public sealed class LeaseManagerTests : IDisposable
{
    private readonly HandMovedClock _time = new();
    private readonly List<LeaseManager> _managers = [];

    private LeaseManager Manager(int slots = 1, int queue = 4, int ttlSeconds = 30, int queueTimeoutSeconds = 30)
    {
        var options = new PoolOptions
        {
            MaxConcurrentSessions = slots, QueueLimit = queue, LeaseTtlSeconds = ttlSeconds, QueueTimeoutSeconds = queueTimeoutSeconds,
        };
        var manager = new LeaseManager(options, _time, new PoolMetrics(), NullLogger.Instance);
        _managers.Add(manager);
        return manager;
    }

    [Fact]
    public async Task Expired_idle_lease_is_reclaimed_and_its_session_goes_to_the_next_waiter()
    {
        var manager = Manager(slots: 1, ttlSeconds: 30);
        var first = await manager.AcquireAsync("actors", default);
        var waiting = manager.AcquireAsync("other", default);
        Assert.False(waiting.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(1, manager.ReclaimExpired());

        var second = await waiting;
        Assert.Equal("other", second.Owner);
        Assert.Throws<LeaseNotFoundException>(() => manager.BeginCompletion(first.Id, "actors"));
    }

    [Fact]
    public async Task Lease_in_use_is_renewed_and_not_reclaimed()
    {
        var manager = Manager(ttlSeconds: 30);
        var lease = await manager.AcquireAsync("actors", default);
        _time.Advance(TimeSpan.FromSeconds(20));
        var (running, _) = manager.BeginCompletion(lease.Id, "actors");

        _time.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(0, manager.ReclaimExpired());

        manager.EndCompletion(running);
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, manager.ReclaimExpired());
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, manager.ReclaimExpired());
    }

    [Fact]
    public async Task Lease_of_another_caller_cannot_be_used_or_returned()
    {
        var manager = Manager();
        var lease = await manager.AcquireAsync("actors", default);

        Assert.Throws<LeaseOwnershipException>(() => manager.BeginCompletion(lease.Id, "intruder"));
        Assert.Throws<LeaseOwnershipException>(() => manager.Release(lease.Id, "intruder"));
        Assert.True(manager.Release(lease.Id, "actors"));
    }

    [Fact]
    public async Task Second_completion_on_a_busy_lease_is_refused()
    {
        var manager = Manager();
        var lease = await manager.AcquireAsync("actors", default);
        manager.BeginCompletion(lease.Id, "actors");

        Assert.Throws<LeaseBusyException>(() => manager.BeginCompletion(lease.Id, "actors"));
    }

    [Fact]
    public async Task Full_queue_refuses_at_once_with_a_retry_after()
    {
        var manager = Manager(slots: 1, queue: 1);
        await manager.AcquireAsync("a", default);
        var queued = manager.AcquireAsync("b", default);

        var refused = await Assert.ThrowsAsync<PoolBusyException>(() => manager.AcquireAsync("c", default));
        Assert.True(refused.RetryAfter >= TimeSpan.FromSeconds(1));
        Assert.Equal(1, manager.QueuedCount);
        Assert.False(queued.IsCompleted);
    }

    [Fact]
    public async Task Waiting_past_the_queue_timeout_is_refused_and_leaves_the_queue()
    {
        var manager = Manager(slots: 1, queue: 4, queueTimeoutSeconds: 1);
        await manager.AcquireAsync("a", default);

        await Assert.ThrowsAsync<PoolBusyException>(() => manager.AcquireAsync("b", default));
        Assert.Equal(0, manager.QueuedCount);
    }

    [Fact]
    public async Task Caller_max_wait_shorter_than_the_queue_timeout_is_refused_naming_that_wait()
    {
        var manager = Manager(slots: 1, queue: 4, queueTimeoutSeconds: 3600);
        await manager.AcquireAsync("a", default);

        var refused = await Assert.ThrowsAsync<PoolBusyException>(() => manager.AcquireAsync("b", TimeSpan.FromMilliseconds(50), default));
        Assert.Contains("max wait of 50 ms", refused.Message);
        Assert.Equal(0, manager.QueuedCount);
    }

    [Fact]
    public async Task Zero_max_wait_refuses_at_once_when_every_session_is_out_but_takes_a_free_one()
    {
        var manager = Manager(slots: 1, queue: 4);
        var lease = await manager.AcquireAsync("a", TimeSpan.Zero, default);

        var refused = manager.AcquireAsync("b", TimeSpan.Zero, default);
        Assert.True(refused.IsCompleted); // no timer involved: refused before it ever queued
        await Assert.ThrowsAsync<PoolBusyException>(() => refused);
        Assert.Equal(0, manager.QueuedCount);
        Assert.Equal("a", lease.Owner);
    }

    [Fact]
    public async Task Caller_max_wait_longer_than_the_queue_timeout_is_capped_by_it()
    {
        var manager = Manager(slots: 1, queue: 4, queueTimeoutSeconds: 1);
        await manager.AcquireAsync("a", default);

        var refused = await Assert.ThrowsAsync<PoolBusyException>(() => manager.AcquireAsync("b", TimeSpan.FromHours(1), default));
        Assert.Contains("QueueTimeoutSeconds", refused.Message);
    }

    [Fact]
    public async Task Waiter_within_its_max_wait_gets_the_returned_session()
    {
        var manager = Manager(slots: 1, queue: 4, queueTimeoutSeconds: 3600);
        var first = await manager.AcquireAsync("a", default);
        var waiting = manager.AcquireAsync("b", TimeSpan.FromMinutes(5), default);
        Assert.False(waiting.IsCompleted);

        manager.Release(first.Id, "a");
        Assert.Equal("b", (await waiting).Owner);
    }

    [Fact]
    public async Task Returned_lease_goes_to_waiters_in_arrival_order()
    {
        var manager = Manager(slots: 1);
        var first = await manager.AcquireAsync("a", default);
        var second = manager.AcquireAsync("b", default);
        var third = manager.AcquireAsync("c", default);

        manager.Release(first.Id, "a");
        Assert.Equal("b", (await second).Owner);
        Assert.False(third.IsCompleted);
        Assert.Equal(1, manager.ActiveCount);
    }

    [Fact]
    public async Task Cancelled_waiter_leaves_the_queue_without_taking_a_session()
    {
        var manager = Manager(slots: 1);
        var first = await manager.AcquireAsync("a", default);
        using var cancel = new CancellationTokenSource();
        var waiting = manager.AcquireAsync("b", cancel.Token);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, manager.QueuedCount);
        manager.Release(first.Id, "a");
        Assert.Equal(0, manager.ActiveCount);
    }

    public void Dispose()
    {
        foreach (var manager in _managers) manager.Dispose();
    }
}
