namespace Autopilot.Standalone.InProcessRuntime;

/// <summary>
/// Runs work one turn at a time per key, like Dapr's turn-based actor concurrency: each key has a mailbox worked
/// in arrival order by at most one task; different keys run in parallel. A turn that throws fails only its caller.
/// </summary>
public sealed class KeyedExecutor
{
    private readonly Dictionary<string, Queue<Func<Task>>> _mailboxes = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private bool _stopped;
    private int _running;

    /// <summary>Keys with work queued or running.</summary>
    public int ActiveKeys
    {
        get
        {
            lock (_gate) return _mailboxes.Count;
        }
    }

    public Task RunAsync(string key, Func<Task> turn) => RunAsync(key, async () =>
    {
        await turn();
        return true;
    });

    public Task<T> RunAsync<T>(string key, Func<Task<T>> turn)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task Work()
        {
            try
            {
                done.TrySetResult(await turn());
            }
            catch (OperationCanceledException e)
            {
                done.TrySetCanceled(e.CancellationToken);
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        }

        lock (_gate)
        {
            if (_stopped) throw new ObjectDisposedException(nameof(KeyedExecutor), "The host is stopping; no new turns are accepted.");
            if (_mailboxes.TryGetValue(key, out var mailbox))
            {
                mailbox.Enqueue(Work);
                return done.Task;
            }
            _mailboxes[key] = new Queue<Func<Task>>();
            _running++;
        }
        _ = Task.Run(() => PumpAsync(key, Work));
        return done.Task;
    }

    private async Task PumpAsync(string key, Func<Task> first)
    {
        var next = first;
        while (true)
        {
            await next();
            lock (_gate)
            {
                var mailbox = _mailboxes[key];
                if (mailbox.Count == 0)
                {
                    _mailboxes.Remove(key);
                    _running--;
                    return;
                }
                next = mailbox.Dequeue();
            }
        }
    }

    /// <summary>Stops accepting turns and waits (bounded) for the running ones to finish.</summary>
    public async Task StopAsync(TimeSpan wait)
    {
        lock (_gate) _stopped = true;
        var deadline = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < deadline)
        {
            lock (_gate)
                if (_running == 0) return;
            await Task.Delay(20);
        }
    }
}
