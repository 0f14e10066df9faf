using Autopilot.InferencePool.Client;

namespace Autopilot.InferencePool.Engine;

/// <summary>
/// <see cref="IInferencePool"/> straight onto an engine in the same process (the stand-alone mode): the same leases,
/// queue bound and errors as over HTTP, without the network hop.
/// </summary>
public sealed class InProcessInferencePool(InferencePoolEngine engine, string callerId) : IInferencePool
{
    public Task<SessionLease> LeaseAsync(TimeSpan? maxWait = null, CancellationToken cancellationToken = default) =>
        engine.LeaseAsync(callerId, maxWait, cancellationToken);

    public Task<CompletionResult> CompleteAsync(string leaseId, CompletionRequest request, CancellationToken cancellationToken = default) =>
        engine.CompleteAsync(callerId, leaseId, request, cancellationToken);

    public Task ReleaseAsync(string leaseId, CancellationToken cancellationToken = default)
    {
        engine.Release(callerId, leaseId);
        return Task.CompletedTask;
    }
}
