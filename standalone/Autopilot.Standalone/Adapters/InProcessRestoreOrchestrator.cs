using System.Collections.Concurrent;
using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Restore;
using Autopilot.Standalone.InProcessRuntime;
using Microsoft.Extensions.Logging;

namespace Autopilot.Standalone.Adapters;

/// <summary>
/// The progressive restore without Dapr.Workflow: the shared <see cref="ProgressiveRestoreRunner"/> runs in the
/// background (never inside the incident's turn). The request is kept on disk until the runner reported, so a
/// restore cut short by a restart is run again at start-up; its steps have deterministic change ids, so the
/// guardrail answers steps it already applied without applying them twice.
/// </summary>
public sealed class InProcessRestoreOrchestrator(
    ProgressiveRestoreRunner runner,
    StateDirectory directory,
    ILogger<InProcessRestoreOrchestrator> logger) : IRestoreOrchestrator, IAsyncDisposable
{
    public const string Area = "restores";

    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    public int Running => _running.Count;

    public async Task StartAsync(RestoreRequest request, CancellationToken ct)
    {
        var path = directory.PathFor(Area, request.RestoreId);
        if (_running.ContainsKey(request.RestoreId)) return;
        await directory.WriteAsync(path, request, ct);
        Launch(request, path);
    }

    /// <summary>Runs again every restore that had not reported when the host stopped.</summary>
    public async Task ResumeAsync(CancellationToken ct)
    {
        foreach (var file in directory.Files(Area))
        {
            if (await directory.ReadAsync<RestoreRequest>(file, ct) is not { } request) continue;
            logger.LogInformation("Resuming restore {RestoreId} of incident {IncidentId}", request.RestoreId, request.IncidentId);
            Launch(request, file);
        }
    }

    private void Launch(RestoreRequest request, string path)
    {
        _running.GetOrAdd(request.RestoreId, _ => Task.Run(async () =>
        {
            try
            {
                await runner.RunAsync(request, _stopping.Token);
                directory.Delete(path);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // Stopped mid-restore: the request stays on disk and is resumed at the next start.
            }
            catch (Exception e)
            {
                logger.LogError(e, "Restore {RestoreId} failed; it runs again at the next start", request.RestoreId);
            }
            finally
            {
                _running.TryRemove(request.RestoreId, out Task? _);
            }
        }));
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stopping.CancelAsync();
        await Task.WhenAll(_running.Values);
        _stopping.Dispose();
    }
}
