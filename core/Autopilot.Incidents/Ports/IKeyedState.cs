namespace Autopilot.Incidents.Ports;

/// <summary>
/// The state of one keyed process (an incident per workload, a guardrail per route). Dapr: the actor's
/// StateManager; stand-alone: one file per key. A Set is durable when the task completes.
/// </summary>
public interface IKeyedState<T> where T : class
{
    Task<T?> GetAsync(CancellationToken ct);

    Task SetAsync(T value, CancellationToken ct);
}
