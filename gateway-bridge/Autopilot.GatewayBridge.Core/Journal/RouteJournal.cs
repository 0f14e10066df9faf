using System.Text.Json;
using System.Text.Json.Serialization;
using Autopilot.GatewayBridge.Client;
using Autopilot.Remediation.Routing;

namespace Autopilot.GatewayBridge.Core.Journal;

/// <summary>
/// One change as the bridge remembers it, stored on the route itself (annotation
/// <see cref="RouteJournal.Annotation"/>) so the cluster stays the source of truth and a restarted or second
/// replica of the bridge sees the same history. Before is what undo restores.
/// RuleIndex/Before/After are the change's first rule and MoreRules the other rules it touched, so entries written
/// before multi-rule changes (without moreRules) read as the one-rule changes they were.
/// </summary>
public sealed record JournalEntry(
    string ChangeId,
    string IncidentId,
    ChangeKind Kind,
    int RuleIndex,
    string Reason,
    DateTimeOffset At,
    IReadOnlyList<BackendWeight> Before,
    IReadOnlyList<BackendWeight> After,
    RateLimitSpec? RateLimit = null,
    string? PolicyBefore = null,
    string? UndoOf = null,
    string? UndoneBy = null,
    IReadOnlyList<RuleWeights>? MoreRules = null)
{
    /// <summary>Every rule the entry touched, its first rule first.</summary>
    [JsonIgnore]
    public IReadOnlyList<RuleWeights> Rules => [new(RuleIndex, Before, After), .. MoreRules ?? []];
}

/// <summary>The change journal of one route, newest last, capped so the annotation stays small.</summary>
public sealed class RouteJournal
{
    public const string Annotation = "autopilot.io/change-journal";

    private readonly List<JournalEntry> _entries;

    private RouteJournal(List<JournalEntry> entries) => _entries = entries;

    public IReadOnlyList<JournalEntry> Entries => _entries;

    public static RouteJournal FromAnnotations(IReadOnlyDictionary<string, string> annotations)
    {
        if (!annotations.TryGetValue(Annotation, out var json) || string.IsNullOrWhiteSpace(json)) return new RouteJournal([]);
        try
        {
            return new RouteJournal(JsonSerializer.Deserialize<List<JournalEntry>>(json, GatewayBridgeJson.Options) ?? []);
        }
        catch (JsonException e)
        {
            // Someone hand-edited the annotation. Refuse to guess: the history is what makes undo safe.
            throw new InvalidDataException($"The route's '{Annotation}' annotation is not a valid change journal: {e.Message}", e);
        }
    }

    public JournalEntry? Find(string changeId) => _entries.FirstOrDefault(e => e.ChangeId == changeId);

    /// <summary>A new journal with the entry appended (and, for an undo, the undone entry marked), capped at <paramref name="capacity"/>.</summary>
    public RouteJournal With(JournalEntry entry, int capacity)
    {
        var entries = _entries
            .Select(e => entry.UndoOf is not null && e.ChangeId == entry.UndoOf ? e with { UndoneBy = entry.ChangeId } : e)
            .Append(entry)
            .ToList();
        if (entries.Count > capacity) entries.RemoveRange(0, entries.Count - capacity);
        return new RouteJournal(entries);
    }

    public string Serialize() => JsonSerializer.Serialize(_entries, GatewayBridgeJson.Options);
}
