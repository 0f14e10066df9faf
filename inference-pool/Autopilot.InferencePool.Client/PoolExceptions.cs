namespace Autopilot.InferencePool.Client;

/// <summary>Base of every error the pool reports to a caller.</summary>
public abstract class InferencePoolException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>All sessions are busy and the queue is full (HTTP 429); try again after <see cref="RetryAfter"/>.</summary>
public sealed class PoolBusyException(TimeSpan retryAfter, string message) : InferencePoolException(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>The lease does not exist, was returned, or expired and was reclaimed (HTTP 404).</summary>
public sealed class LeaseNotFoundException(string leaseId)
    : InferencePoolException($"Lease '{leaseId}' does not exist, was returned, or expired.")
{
    public string LeaseId { get; } = leaseId;
}

/// <summary>The lease belongs to another caller (HTTP 403).</summary>
public sealed class LeaseOwnershipException(string leaseId)
    : InferencePoolException($"Lease '{leaseId}' belongs to another caller.")
{
    public string LeaseId { get; } = leaseId;
}

/// <summary>The lease is already running a completion (HTTP 409); a session runs one completion at a time.</summary>
public sealed class LeaseBusyException(string leaseId)
    : InferencePoolException($"Lease '{leaseId}' is already running a completion.")
{
    public string LeaseId { get; } = leaseId;
}

/// <summary>The request is invalid (HTTP 400); <see cref="Field"/> names what to fix.</summary>
public sealed class PoolRequestException(string field, string message) : InferencePoolException($"{field}: {message}")
{
    public string Field { get; } = field;
    public string Detail { get; } = message;
}

/// <summary>The pool cannot serve now: model not loaded yet, or an unexpected server error (HTTP 5xx).</summary>
public sealed class PoolUnavailableException(string message, Exception? inner = null) : InferencePoolException(message, inner);
