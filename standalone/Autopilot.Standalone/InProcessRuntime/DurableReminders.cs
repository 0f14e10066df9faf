using Autopilot.Incidents.Ports;
using Microsoft.Extensions.Logging;

namespace Autopilot.Standalone.InProcessRuntime;

/// <summary>One reminder: which process (area + key) and its name, and when it is due.</summary>
public sealed record ReminderEntry(string Area, string Key, string Name, DateTimeOffset DueAt);

/// <summary>
/// Durable one-shot reminders for every keyed process, the role of Dapr actor reminders: kept in one file in the
/// state directory, so reminders due while the host was down fire after it restarts. A reminder is removed only
/// after its callback succeeded (at-least-once); a failed callback is retried after <see cref="RetryDelay"/>.
/// </summary>
public sealed class DurableReminders : IAsyncDisposable
{
    private readonly StateDirectory _directory;
    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<(string Area, string Key, string Name), ReminderEntry> _entries = [];
    private readonly HashSet<(string, string, string)> _firing = [];
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lazy<Task> _loaded;
    private Task? _loop;

    public DurableReminders(StateDirectory directory, TimeProvider time, ILogger<DurableReminders> logger)
    {
        _directory = directory;
        _path = Path.Combine(directory.Root, "reminders.json");
        _time = time;
        _logger = logger;
        // Read on first use, not here: a constructor must not block on file I/O.
        _loaded = new Lazy<Task>(LoadAsync);
    }

    private async Task LoadAsync()
    {
        var saved = await _directory.ReadAsync<List<ReminderEntry>>(_path, CancellationToken.None) ?? [];
        lock (_entries)
            foreach (var entry in saved) _entries.TryAdd((entry.Area, entry.Key, entry.Name), entry);
    }

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public IReadOnlyList<ReminderEntry> Pending
    {
        get
        {
            lock (_entries) return [.. _entries.Values.OrderBy(e => e.DueAt)];
        }
    }

    /// <summary>The <see cref="IReminders"/> of one process.</summary>
    public IReminders For(string area, string key) => new ProcessReminders(this, area, key);

    /// <summary>Reads the saved reminders, then starts firing due ones through <paramref name="fire"/> (area, key, name).</summary>
    public async Task StartAsync(Func<ReminderEntry, CancellationToken, Task> fire)
    {
        await _loaded.Value;
        _loop ??= Task.Run(() => LoopAsync(fire));
    }

    public async Task ScheduleAsync(string area, string key, string name, TimeSpan dueIn, CancellationToken ct)
    {
        await _loaded.Value; // saving before the saved reminders are read would drop them
        lock (_entries) _entries[(area, key, name)] = new ReminderEntry(area, key, name, _time.GetUtcNow() + dueIn);
        await SaveAsync(ct);
    }

    public async Task CancelAsync(string area, string key, string name, CancellationToken ct)
    {
        await _loaded.Value;
        bool removed;
        lock (_entries) removed = _entries.Remove((area, key, name));
        if (removed) await SaveAsync(ct);
    }

    private async Task LoopAsync(Func<ReminderEntry, CancellationToken, Task> fire)
    {
        var ct = _stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            List<ReminderEntry> due;
            var now = _time.GetUtcNow();
            lock (_entries)
            {
                due = [.. _entries.Values.Where(e => e.DueAt <= now && !_firing.Contains((e.Area, e.Key, e.Name)))];
                foreach (var entry in due) _firing.Add((entry.Area, entry.Key, entry.Name));
            }
            foreach (var entry in due) _ = FireAsync(entry, fire, ct);
            try
            {
                await Task.Delay(PollInterval, _time, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task FireAsync(ReminderEntry entry, Func<ReminderEntry, CancellationToken, Task> fire, CancellationToken ct)
    {
        var id = (entry.Area, entry.Key, entry.Name);
        try
        {
            await fire(entry, ct);
            bool removed;
            lock (_entries)
            {
                // Rescheduled during its own callback: keep the new one.
                removed = _entries.TryGetValue(id, out var current) && current == entry && _entries.Remove(id);
            }
            if (removed) await SaveAsync(ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            _logger.LogWarning(e, "Reminder {Name} of {Area} {Key} failed; retrying in {Delay}", entry.Name, entry.Area, entry.Key, RetryDelay);
            lock (_entries)
            {
                if (_entries.TryGetValue(id, out var current) && current == entry)
                    _entries[id] = entry with { DueAt = _time.GetUtcNow() + RetryDelay };
            }
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_entries) _firing.Remove(id);
        }
    }

    private async Task SaveAsync(CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct);
        try
        {
            List<ReminderEntry> snapshot;
            lock (_entries) snapshot = [.. _entries.Values];
            await _directory.WriteAsync(_path, snapshot, ct);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stopping.CancelAsync();
        if (_loop is not null) await _loop;
        _stopping.Dispose();
    }

    private sealed class ProcessReminders(DurableReminders reminders, string area, string key) : IReminders
    {
        public Task ScheduleAsync(string name, TimeSpan dueIn, CancellationToken ct) => reminders.ScheduleAsync(area, key, name, dueIn, ct);

        public Task CancelAsync(string name, CancellationToken ct) => reminders.CancelAsync(area, key, name, ct);
    }
}
