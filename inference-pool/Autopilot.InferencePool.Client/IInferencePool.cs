namespace Autopilot.InferencePool.Client;

/// <summary>
/// The pool as a caller sees it, whether over HTTP (<see cref="Http.HttpInferencePool"/>) or in-process. The caller
/// identity is fixed by the implementation (the HTTP client's configured caller id, or the in-process adapter's), so a
/// lease can only be used and returned by whoever borrowed it.
/// </summary>
public interface IInferencePool
{
    /// <summary>Borrows a session; waits in the bounded queue when all are busy, for at most <paramref name="maxWait"/>
    /// when given (zero: only take a session that is free now), never longer than the pool's own queue timeout.</summary>
    /// <exception cref="PoolBusyException">The queue is full or the wait timed out.</exception>
    Task<SessionLease> LeaseAsync(TimeSpan? maxWait = null, CancellationToken cancellationToken = default);

    /// <summary>Runs one completion on a leased session; renews the lease.</summary>
    /// <exception cref="LeaseNotFoundException">Unknown, returned or expired lease.</exception>
    /// <exception cref="LeaseOwnershipException">The lease belongs to another caller.</exception>
    /// <exception cref="PoolRequestException">The request is invalid (names the field).</exception>
    Task<CompletionResult> CompleteAsync(string leaseId, CompletionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Returns the session; returning an unknown or already-returned lease is not an error.</summary>
    Task ReleaseAsync(string leaseId, CancellationToken cancellationToken = default);
}
