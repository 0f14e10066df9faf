namespace Autopilot.Incidents.Ports;

/// <summary>
/// The audit trail behind GET /incidents. RecordAsync upserts by IncidentId (the newest record wins).
/// Dapr: the state store through DaprClient; stand-alone: files on disk.
/// </summary>
public interface IIncidentJournal
{
    Task RecordAsync(IncidentRecord record, CancellationToken ct);

    /// <summary>Newest first (by UpdatedAt). openOnly keeps incidents that are not closed; workload filters by key.</summary>
    Task<IReadOnlyList<IncidentSummary>> ListAsync(IncidentQuery query, CancellationToken ct);

    Task<IncidentRecord?> GetAsync(string incidentId, CancellationToken ct);
}

/// <summary>Filter for <see cref="IIncidentJournal.ListAsync"/>. Limit is capped by the journal.</summary>
public sealed record IncidentQuery(string? Workload = null, bool OpenOnly = false, int Limit = 100);
