using Autopilot.Api.DeadLetters;
using Autopilot.Incidents.Ports;

namespace Autopilot.Standalone.InProcessRuntime;

/// <summary>
/// Dead letters as one file per letter in the state directory's dead-letters/ folder (written atomically like all
/// state), named by time so the folder sorts oldest first, and held in memory up to <c>maxKept</c>: a new letter
/// beyond that deletes the oldest one and counts it in dead-letters-dropped.json. Letters survive a restart; the
/// folder is read once, on first use. An unreadable letter is quarantined like any state file.
/// </summary>
public sealed class FileDeadLetterStore(StateDirectory directory, int maxKept, DeadLetterMetrics? metrics = null) : IDeadLetterStore
{
    public const string Area = "dead-letters";

    private readonly List<(string Path, DeadLetterRecord Letter)> _letters = []; // oldest first
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _droppedPath = Path.Combine(directory.Root, "dead-letters-dropped.json");
    private bool _loaded;
    private long _dropped;

    public async Task AddAsync(DeadLetterRecord letter, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await LoadAsync(ct);
            var path = directory.PathFor(Area, $"{letter.At.UtcDateTime:yyyyMMdd'T'HHmmssfffffff'Z'}-{letter.Id}");
            await directory.WriteAsync(path, letter, ct, cache: false);
            _letters.Add((path, letter));
            metrics?.Stored.Add(1);
            await TrimAsync(ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<DeadLetterPage> ListAsync(int limit, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await LoadAsync(ct);
            return new DeadLetterPage([.. _letters.AsEnumerable().Reverse().Take(limit).Select(l => l.Letter)], _dropped);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        if (_loaded) return;
        foreach (var file in directory.Files(Area).Order(StringComparer.Ordinal))
            if (await directory.ReadAsync<DeadLetterRecord>(file, ct, cache: false) is { } letter)
                _letters.Add((file, letter));
        _dropped = (await directory.ReadAsync<DroppedCount>(_droppedPath, ct, cache: false))?.Dropped ?? 0;
        _loaded = true;
        await TrimAsync(ct); // MaxKept may have been lowered since the letters were written
    }

    /// <summary>Lets the oldest letters go until at most maxKept remain, and remembers how many went.</summary>
    private async Task TrimAsync(CancellationToken ct)
    {
        var over = _letters.Count - maxKept;
        if (over <= 0) return;
        foreach (var (path, _) in _letters.Take(over)) directory.Delete(path);
        _letters.RemoveRange(0, over);
        _dropped += over;
        metrics?.Dropped.Add(over);
        await directory.WriteAsync(_droppedPath, new DroppedCount(_dropped), ct, cache: false);
    }

    private sealed record DroppedCount(long Dropped);
}
