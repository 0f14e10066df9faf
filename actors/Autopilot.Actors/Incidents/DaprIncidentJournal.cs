using Autopilot.Incidents.Ports;
using Dapr.Client;

namespace Autopilot.Actors.Incidents;

/// <summary>
/// The audit trail in the Dapr state store (the actor store "actorstate" by default): one key per incident
/// record and an index of summaries updated with optimistic concurrency (ETag), newest first.
/// </summary>
public sealed class DaprIncidentJournal(DaprClient dapr, string storeName = DaprIncidentJournal.DefaultStore) : IIncidentJournal
{
    public const string DefaultStore = "actorstate";
    public const string IndexKey = "incidents-index";
    public const int MaxIndexed = 1000;
    private const int MaxAttempts = 20;

    public static string RecordKey(string incidentId) => $"incident-record-{incidentId}";

    public async Task RecordAsync(IncidentRecord record, CancellationToken ct)
    {
        await dapr.SaveStateAsync(storeName, RecordKey(record.IncidentId), record, cancellationToken: ct);
        var summary = record.Summarise();
        for (var attempt = 1; ; attempt++)
        {
            var (index, etag) = await dapr.GetStateAndETagAsync<List<IncidentSummary>>(storeName, IndexKey, cancellationToken: ct);
            var updated = (index ?? [])
                .Where(s => s.IncidentId != summary.IncidentId)
                .Prepend(summary)
                .OrderByDescending(s => s.UpdatedAt)
                .Take(MaxIndexed)
                .ToList();
            if (await dapr.TrySaveStateAsync(storeName, IndexKey, updated, etag ?? "", cancellationToken: ct)) return;
            if (attempt >= MaxAttempts)
                throw new InvalidOperationException($"The incident index in state store '{storeName}' kept changing; gave up after {MaxAttempts} attempts.");
        }
    }

    public async Task<IReadOnlyList<IncidentSummary>> ListAsync(IncidentQuery query, CancellationToken ct)
    {
        var index = await dapr.GetStateAsync<List<IncidentSummary>>(storeName, IndexKey, cancellationToken: ct) ?? [];
        return index
            .Where(s => query.Workload is null || s.Workload == query.Workload)
            .Where(s => !query.OpenOnly || s.ClosedAt is null)
            .Take(Math.Clamp(query.Limit, 1, MaxIndexed))
            .ToList();
    }

    public Task<IncidentRecord?> GetAsync(string incidentId, CancellationToken ct) =>
        dapr.GetStateAsync<IncidentRecord?>(storeName, RecordKey(incidentId), cancellationToken: ct);
}
