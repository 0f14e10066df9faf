namespace Autopilot.Incidents.Ports;

/// <summary>
/// Alerts POST /alertmanager refused because they name no valid workload (no namespace or workload label, or a value
/// that is not a Kubernetes name), kept for a human behind GET /alerts/rejected. Both hosts use the bounded in-memory
/// list of Autopilot.Api (<c>InMemoryRejectedAlertStore</c>) unless they register their own: the newest ones up to
/// a bound, older ones let go and counted; the list starts empty after a restart (the sender was told in the response).
/// </summary>
public interface IRejectedAlertStore
{
    Task AddAsync(IReadOnlyList<RejectedAlertRecord> rejected, CancellationToken ct);

    /// <summary>Newest first, at most <paramref name="limit"/>.</summary>
    Task<RejectedAlertPage> ListAsync(int limit, CancellationToken ct);
}

/// <summary>One refused alert: when, which (its index in the payload, its name, fingerprint and labels), the field at
/// fault ("alerts[2].labels.workload") and why. Labels are as received (JSON-escaped on the way out).</summary>
public sealed record RejectedAlertRecord(
    DateTimeOffset At,
    int Index,
    string Field,
    string Reason,
    string AlertName,
    string Fingerprint,
    IReadOnlyDictionary<string, string> Labels,
    string? Receiver,
    string? GroupKey);

/// <summary>What GET /alerts/rejected answers: the rejected alerts kept, newest first, and how many older ones were let go.</summary>
public sealed record RejectedAlertPage(IReadOnlyList<RejectedAlertRecord> Alerts, long Dropped);
