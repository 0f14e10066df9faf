using System.Collections.Concurrent;
using Autopilot.Incidents.Ports;

namespace Autopilot.Actors.Tests.Support;

public sealed class InMemoryJournal : IIncidentJournal
{
    private readonly ConcurrentDictionary<string, IncidentRecord> _records = new(StringComparer.Ordinal);

    public IReadOnlyCollection<IncidentRecord> Records => [.. _records.Values];

    public Task RecordAsync(IncidentRecord record, CancellationToken ct)
    {
        _records[record.IncidentId] = record;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<IncidentSummary>> ListAsync(IncidentQuery query, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<IncidentSummary>>([.. _records.Values
            .Where(r => query.Workload is null || r.Workload == query.Workload)
            .Where(r => !query.OpenOnly || r.IsOpen)
            .OrderByDescending(r => r.UpdatedAt)
            .Take(query.Limit)
            .Select(r => r.Summarise())]);

    public Task<IncidentRecord?> GetAsync(string incidentId, CancellationToken ct) => Task.FromResult(_records.GetValueOrDefault(incidentId));
}
