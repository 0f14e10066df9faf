using Autopilot.Api.DeadLetters;
using Autopilot.Incidents.Ports;
using Dapr.Client;

namespace Autopilot.Actors.DeadLetters;

/// <summary>
/// Dead letters in the Dapr state store, as the journal keeps incidents: one key per letter and an index (ids, newest
/// first, and how many were let go) updated with optimistic concurrency (ETag). Past <c>maxKept</c> the oldest letters
/// are deleted and counted. Dapr delivers at least once, so a letter whose id is already indexed is not added again.
/// </summary>
public sealed class DaprDeadLetterStore(DaprClient dapr, string storeName, int maxKept, DeadLetterMetrics? metrics = null) : IDeadLetterStore
{
    public const string IndexKey = "dead-letters-index";
    private const int MaxAttempts = 20;

    public static string LetterKey(string id) => $"dead-letter-{id}";

    public async Task AddAsync(DeadLetterRecord letter, CancellationToken ct)
    {
        await dapr.SaveStateAsync(storeName, LetterKey(letter.Id), letter, cancellationToken: ct);
        for (var attempt = 1; ; attempt++)
        {
            var (index, etag) = await dapr.GetStateAndETagAsync<DeadLetterIndex>(storeName, IndexKey, cancellationToken: ct);
            index ??= new DeadLetterIndex([], 0);
            if (index.Ids.Contains(letter.Id)) return;
            List<string> ids = [letter.Id, .. index.Ids];
            var letGo = ids.Skip(maxKept).ToList();
            var updated = new DeadLetterIndex([.. ids.Take(maxKept)], index.Dropped + letGo.Count);
            if (await dapr.TrySaveStateAsync(storeName, IndexKey, updated, etag ?? "", cancellationToken: ct))
            {
                metrics?.Stored.Add(1);
                if (letGo.Count > 0) metrics?.Dropped.Add(letGo.Count);
                foreach (var id in letGo) await dapr.DeleteStateAsync(storeName, LetterKey(id), cancellationToken: ct);
                return;
            }
            if (attempt >= MaxAttempts)
                throw new InvalidOperationException($"The dead-letter index in state store '{storeName}' kept changing; gave up after {MaxAttempts} attempts.");
        }
    }

    public async Task<DeadLetterPage> ListAsync(int limit, CancellationToken ct)
    {
        var index = await dapr.GetStateAsync<DeadLetterIndex>(storeName, IndexKey, cancellationToken: ct) ?? new DeadLetterIndex([], 0);
        var letters = await Task.WhenAll(index.Ids.Take(limit).Select(id =>
            dapr.GetStateAsync<DeadLetterRecord?>(storeName, LetterKey(id), cancellationToken: ct)));
        return new DeadLetterPage([.. letters.OfType<DeadLetterRecord>()], index.Dropped);
    }

    /// <summary>The letters' ids, newest first, and how many older ones were let go.</summary>
    public sealed record DeadLetterIndex(IReadOnlyList<string> Ids, long Dropped);
}
