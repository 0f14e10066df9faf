using System.Security.Cryptography;
using Autopilot.InferencePool.Client;
using Autopilot.InferencePool.Engine.Options;
using Autopilot.InferencePool.Engine.Telemetry;
using Microsoft.Extensions.Logging;

namespace Autopilot.InferencePool.Engine.Leases;

/// <summary>One borrowed session, bound to the caller that borrowed it.</summary>
public sealed class Lease
{
    internal Lease(string id, string owner, DateTimeOffset grantedAt)
    {
        Id = id;
        Owner = owner;
        GrantedAt = grantedAt;
    }

    public string Id { get; }
    public string Owner { get; }
    public DateTimeOffset GrantedAt { get; }
    public DateTimeOffset ExpiresAt { get; internal set; }

    /// <summary>A completion is running on it (a session runs one at a time; busy leases are never reclaimed).</summary>
    internal bool Busy { get; set; }

    /// <summary>Cancelled when the lease is returned or reclaimed, which stops its running completion.</summary>
    internal CancellationTokenSource Revoked { get; } = new();
}

/// <summary>
/// Hands out at most MaxConcurrentSessions leases; further requests wait in a bounded FIFO queue for QueueTimeoutSeconds,
/// beyond which (or when the queue is full) they are refused with a Retry-After estimate. Leases idle past their TTL
/// are reclaimed. Memory stays flat however many callers arrive: each waiter is one small object, and the queue is bounded.
/// </summary>
public sealed class LeaseManager : IDisposable
{
    private sealed record Waiter(string Caller, TaskCompletionSource<Lease> Granted, long QueuedAt);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly PoolOptions _options;
    private readonly TimeProvider _time;
    private readonly PoolMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ITimer _reclaimTimer;
    private double _averageHoldSeconds = 1;

    public LeaseManager(PoolOptions options, TimeProvider time, PoolMetrics metrics, ILogger logger)
    {
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        var period = TimeSpan.FromSeconds(Math.Clamp(options.LeaseTtlSeconds / 4.0, 0.25, 5));
        _reclaimTimer = time.CreateTimer(_ => ReclaimExpired(), null, period, period);
        metrics.ObserveLeases(() => ActiveCount, () => QueuedCount);
    }

    private TimeSpan Ttl => TimeSpan.FromSeconds(_options.LeaseTtlSeconds);

    public int ActiveCount { get { lock (_gate) return _leases.Count; } }
    public int QueuedCount { get { lock (_gate) return _waiters.Count; } }

    /// <summary>Borrows a session, waiting in the queue for at most QueueTimeoutSeconds.</summary>
    public Task<Lease> AcquireAsync(string caller, CancellationToken cancellationToken) => AcquireAsync(caller, null, cancellationToken);

    /// <summary>Borrows a session for <paramref name="caller"/>, waiting in the queue when all are out: at most
    /// QueueTimeoutSeconds, or <paramref name="maxWait"/> when the caller asks for less (zero: do not queue at all).</summary>
    /// <exception cref="PoolBusyException">The queue is full, or the wait exceeded its bound.</exception>
    public async Task<Lease> AcquireAsync(string caller, TimeSpan? maxWait, CancellationToken cancellationToken)
    {
        if (maxWait < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(maxWait), maxWait, "The wait cannot be negative.");
        var queueTimeout = TimeSpan.FromSeconds(_options.QueueTimeoutSeconds);
        var wait = maxWait is { } asked && asked < queueTimeout ? asked : queueTimeout;
        var callerBound = wait < queueTimeout;
        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (_gate)
        {
            if (_leases.Count < _options.MaxConcurrentSessions && _waiters.Count == 0)
            {
                _metrics.LeaseWaited(TimeSpan.Zero);
                return Grant(caller);
            }
            if (_waiters.Count >= _options.QueueLimit)
            {
                _metrics.Rejected("queue_full");
                throw Busy($"All {_options.MaxConcurrentSessions} sessions are busy and {_waiters.Count} requests are already queued (InferencePool:QueueLimit).");
            }
            if (wait == TimeSpan.Zero)
            {
                _metrics.Rejected("queue_timeout");
                throw Busy($"All {_options.MaxConcurrentSessions} sessions are busy and the caller would not wait (max wait 0 ms).");
            }
            waiter = new Waiter(caller, new TaskCompletionSource<Lease>(TaskCreationOptions.RunContinuationsAsynchronously), _time.GetTimestamp());
            node = _waiters.AddLast(waiter);
        }

        using var timeout = new CancellationTokenSource(wait, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        await using var registration = linked.Token.Register(() =>
        {
            lock (_gate)
            {
                // Only a waiter still in the queue can be cancelled; one already granted keeps its lease.
                if (node.List is null) return;
                _waiters.Remove(node);
            }
            waiter.Granted.TrySetCanceled(linked.Token);
        });
        try
        {
            var lease = await waiter.Granted.Task;
            _metrics.LeaseWaited(_time.GetElapsedTime(waiter.QueuedAt));
            return lease;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _metrics.Rejected("queue_timeout");
            throw Busy(callerBound
                ? $"No session became free within the caller's max wait of {wait.TotalMilliseconds:0} ms."
                : $"No session became free within {_options.QueueTimeoutSeconds} s (InferencePool:QueueTimeoutSeconds).");
        }
    }

    /// <summary>Marks the lease as running a completion and renews it; the token is cancelled if the lease is revoked.</summary>
    /// <exception cref="LeaseNotFoundException"/>
    /// <exception cref="LeaseOwnershipException"/>
    /// <exception cref="LeaseBusyException"/>
    public (Lease Lease, CancellationToken Revoked) BeginCompletion(string leaseId, string caller)
    {
        lock (_gate)
        {
            var lease = Find(leaseId, caller);
            if (lease.Busy) throw new LeaseBusyException(leaseId);
            lease.Busy = true;
            lease.ExpiresAt = _time.GetUtcNow() + Ttl;
            return (lease, lease.Revoked.Token);
        }
    }

    public void EndCompletion(Lease lease)
    {
        lock (_gate)
        {
            lease.Busy = false;
            lease.ExpiresAt = _time.GetUtcNow() + Ttl;
        }
    }

    /// <summary>Returns the lease; false when it was unknown (already returned or reclaimed).</summary>
    /// <exception cref="LeaseOwnershipException"/>
    public bool Release(string leaseId, string caller)
    {
        Lease lease;
        lock (_gate)
        {
            if (!_leases.TryGetValue(leaseId, out lease!)) return false;
            if (!string.Equals(lease.Owner, caller, StringComparison.Ordinal)) throw new LeaseOwnershipException(leaseId);
            Remove(lease);
        }
        lease.Revoked.Cancel();
        return true;
    }

    /// <summary>Reclaims every idle lease past its TTL and gives the freed sessions to waiters. Returns how many.</summary>
    public int ReclaimExpired()
    {
        List<Lease> expired;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            expired = _leases.Values.Where(l => !l.Busy && l.ExpiresAt <= now).ToList();
            foreach (var lease in expired) Remove(lease);
        }
        foreach (var lease in expired)
        {
            lease.Revoked.Cancel();
            _metrics.Reclaimed();
            _logger.LogWarning("Reclaimed lease {LeaseId} of {Caller}: unused for {TtlSeconds} s", lease.Id, lease.Owner, _options.LeaseTtlSeconds);
        }
        return expired.Count;
    }

    /// <summary>How long a refused caller should wait: the recent average hold time scaled by the queue ahead of it.</summary>
    public TimeSpan RetryAfter()
    {
        lock (_gate)
        {
            var seconds = _averageHoldSeconds * (_waiters.Count + 1) / _options.MaxConcurrentSessions;
            return TimeSpan.FromSeconds(Math.Clamp(Math.Ceiling(seconds), 1, 60));
        }
    }

    public void Dispose()
    {
        _reclaimTimer.Dispose();
        lock (_gate)
        {
            foreach (var waiter in _waiters) waiter.Granted.TrySetException(new PoolUnavailableException("The inference pool is shutting down."));
            _waiters.Clear();
        }
    }

    private Lease Find(string leaseId, string caller)
    {
        if (!_leases.TryGetValue(leaseId, out var lease)) throw new LeaseNotFoundException(leaseId);
        if (!string.Equals(lease.Owner, caller, StringComparison.Ordinal)) throw new LeaseOwnershipException(leaseId);
        return lease;
    }

    // Caller holds _gate.
    private Lease Grant(string caller)
    {
        var now = _time.GetUtcNow();
        var lease = new Lease(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), caller, now) { ExpiresAt = now + Ttl };
        _leases.Add(lease.Id, lease);
        return lease;
    }

    // Caller holds _gate.
    private void Remove(Lease lease)
    {
        _leases.Remove(lease.Id);
        var held = (_time.GetUtcNow() - lease.GrantedAt).TotalSeconds;
        _averageHoldSeconds = 0.8 * _averageHoldSeconds + 0.2 * Math.Max(0, held);
        while (_leases.Count < _options.MaxConcurrentSessions && _waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            var granted = Grant(first.Value.Caller);
            if (!first.Value.Granted.TrySetResult(granted)) _leases.Remove(granted.Id);
        }
    }

    // System.Threading.Lock is re-entrant, so this is safe inside and outside _gate.
    private PoolBusyException Busy(string message) => new(RetryAfter(), message);
}
