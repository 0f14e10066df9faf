using System.Collections.Concurrent;
using Autopilot.Incidents.Ports;

namespace Autopilot.Standalone.InProcessRuntime;

/// <summary>The audit trail (GET /incidents) as one file per incident in the state directory, indexed in memory.</summary>
public sealed class FileIncidentJournal : IIncidentJournal
{
    public const string Area = "incidents";
    private const int MaxLimit = 1000;

    private readonly StateDirectory _directory;
    private readonly ConcurrentDictionary<string, IncidentRecord> _records = new(StringComparer.Ordinal);

    public FileIncidentJournal(StateDirectory directory)
    {
        _directory = directory;
        foreach (var file in directory.Files(Area))
            if (directory.ReadAsync<IncidentRecord>(file, CancellationToken.None).GetAwaiter().GetResult() is { } record)
                _records[record.IncidentId] = record;
    }

    public event Action<IncidentRecord>? Recorded;

    public async Task RecordAsync(IncidentRecord record, CancellationToken ct)
    {
        await _directory.WriteAsync(_directory.PathFor(Area, record.IncidentId), record, ct);
        _records.AddOrUpdate(record.IncidentId, record, (_, existing) => existing.UpdatedAt > record.UpdatedAt ? existing : record);
        Recorded?.Invoke(record);
    }

    public Task<IReadOnlyList<IncidentSummary>> ListAsync(IncidentQuery query, CancellationToken ct)
    {
        IReadOnlyList<IncidentSummary> list = [.. _records.Values
            .Where(r => query.Workload is null || r.Workload == query.Workload)
            .Where(r => !query.OpenOnly || r.IsOpen)
            .OrderByDescending(r => r.UpdatedAt)
            .Take(Math.Clamp(query.Limit, 1, MaxLimit))
            .Select(r => r.Summarise())];
        return Task.FromResult(list);
    }

    public Task<IncidentRecord?> GetAsync(string incidentId, CancellationToken ct) =>
        Task.FromResult(_records.TryGetValue(incidentId, out var record) ? record : null);

    public IReadOnlyList<IncidentRecord> All => [.. _records.Values.OrderBy(r => r.OpenedAt)];
}
