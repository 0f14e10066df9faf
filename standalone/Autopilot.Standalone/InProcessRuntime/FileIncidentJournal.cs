using Autopilot.Incidents.Ports;

namespace Autopilot.Standalone.InProcessRuntime;

/// <summary>
/// The audit trail (GET /incidents) as one file per incident in the state directory. Memory stays bounded however
/// long the host runs: it holds the open incidents' records (each alert updates one) and the summaries of the newest
/// <c>closedKept</c> closed ones; GET /incidents/{id} of an older incident reads its file. The index is loaded
/// asynchronously on first use (the host awaits <see cref="LoadAsync"/> at start); an unreadable file is quarantined
/// and skipped, so it costs only its own incident.
/// </summary>
public sealed class FileIncidentJournal(StateDirectory directory, int closedKept = FileIncidentJournal.DefaultClosedKept) : IIncidentJournal
{
    public const string Area = "incidents";
    public const int DefaultClosedKept = 1000;
    private const int MaxLimit = 1000;

    private readonly Dictionary<string, IncidentRecord> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IncidentSummary> _closed = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private Task? _loading;

    public event Action<IncidentRecord>? Recorded;

    /// <summary>Reads the index from disk once; later calls await the same load.</summary>
    public Task LoadAsync(CancellationToken ct)
    {
        lock (_gate) return _loading ??= LoadFilesAsync(ct);
    }

    private async Task LoadFilesAsync(CancellationToken ct)
    {
        foreach (var file in directory.Files(Area))
            if (await directory.ReadAsync<IncidentRecord>(file, ct, cache: false) is { } record)
                lock (_gate) Index(record);
    }

    public async Task RecordAsync(IncidentRecord record, CancellationToken ct)
    {
        await LoadAsync(ct);
        await directory.WriteAsync(directory.PathFor(Area, record.IncidentId), record, ct, cache: false);
        lock (_gate) Index(record);
        Recorded?.Invoke(record);
    }

    /// <summary>Keeps the newer of what is indexed and <paramref name="record"/>; trims the closed summaries.</summary>
    private void Index(IncidentRecord record)
    {
        var id = record.IncidentId;
        var known = _open.TryGetValue(id, out var open) ? open.UpdatedAt : _closed.TryGetValue(id, out var closed) ? closed.UpdatedAt : (DateTimeOffset?)null;
        if (known > record.UpdatedAt) return;
        _open.Remove(id);
        _closed.Remove(id);
        if (record.IsOpen)
        {
            _open[id] = record;
            return;
        }
        _closed[id] = record.Summarise();
        while (_closed.Count > closedKept) _closed.Remove(_closed.Values.MinBy(s => s.UpdatedAt)!.IncidentId);
    }

    public async Task<IReadOnlyList<IncidentSummary>> ListAsync(IncidentQuery query, CancellationToken ct)
    {
        await LoadAsync(ct);
        lock (_gate)
            return [.. _open.Values.Select(r => r.Summarise()).Concat(_closed.Values)
                .Where(s => query.Workload is null || s.Workload == query.Workload)
                .Where(s => !query.OpenOnly || s.ClosedAt is null)
                .OrderByDescending(s => s.UpdatedAt)
                .Take(Math.Clamp(query.Limit, 1, MaxLimit))];
    }

    public async Task<IncidentRecord?> GetAsync(string incidentId, CancellationToken ct)
    {
        await LoadAsync(ct);
        lock (_gate)
            if (_open.TryGetValue(incidentId, out var open)) return open;
        return await directory.ReadAsync<IncidentRecord>(directory.PathFor(Area, incidentId), ct, cache: false);
    }

    /// <summary>Every record on disk, oldest first, read afresh (the demo's summary and tests; not the API). Unreadable
    /// files are skipped here and quarantined by the index.</summary>
    public IReadOnlyList<IncidentRecord> All =>
        [.. directory.Files(Area).Select(ReadOrNull).OfType<IncidentRecord>().OrderBy(r => r.OpenedAt)];

    private static IncidentRecord? ReadOrNull(string file)
    {
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<IncidentRecord>(File.ReadAllBytes(file), StateDirectory.Json);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or IOException or ArgumentException)
        {
            return null;
        }
    }
}
