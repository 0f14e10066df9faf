using System.Collections.Concurrent;
using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Restore;

namespace Autopilot.Actors.Tests.Support;

/// <summary>Like the workflow engine: a started restore runs later, outside the incident's turn. Tests run the
/// queued restores with the same in-process runner the stand-alone host uses.</summary>
public sealed class QueuedRestores : IRestoreOrchestrator
{
    private readonly ConcurrentDictionary<string, RestoreRequest> _started = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RestoreRequest> _pending = new();

    public int Started => _started.Count;

    /// <summary>Every restore the loop started, as it asked for it.</summary>
    public IReadOnlyCollection<RestoreRequest> Requests => [.. _started.Values];

    public Task StartAsync(RestoreRequest request, CancellationToken ct)
    {
        if (_started.TryAdd(request.RestoreId, request)) _pending.Enqueue(request);
        return Task.CompletedTask;
    }

    public async Task<IReadOnlyList<RestoreOutcome>> RunAsync(ProgressiveRestoreRunner runner)
    {
        var outcomes = new List<RestoreOutcome>();
        while (_pending.TryDequeue(out var request)) outcomes.Add(await runner.RunAsync(request, CancellationToken.None));
        return outcomes;
    }
}
