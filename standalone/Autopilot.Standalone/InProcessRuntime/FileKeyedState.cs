using Autopilot.Incidents.Ports;

namespace Autopilot.Standalone.InProcessRuntime;

/// <summary>The state of one keyed process (an incident per workload, a guardrail per route) as one file.</summary>
public sealed class FileKeyedState<T>(StateDirectory directory, string area, string key) : IKeyedState<T> where T : class
{
    private readonly string _path = directory.PathFor(area, key);

    public Task<T?> GetAsync(CancellationToken ct) => directory.ReadAsync<T>(_path, ct);

    public Task SetAsync(T value, CancellationToken ct) => directory.WriteAsync(_path, value, ct);
}
