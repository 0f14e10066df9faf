// Over 300 lines: every section's ranking (route, versions, alert groups, actions) feeds the one budget loop through
// the private Fact type; split apart, the ranking and the budget would have to share that type's internals.
using System.Globalization;
using System.Text;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Compaction;

/// <summary>
/// Folds an incident's alerts, per-version health, route weights and recent actions into a fixed,
/// line-per-fact text that fits a token budget. Facts are ranked by how much they matter to the next
/// decision; the lowest-ranked whole facts are dropped (and counted) until the sheet fits, so a
/// 5,000-alert storm and a single alert both produce a sheet the model can read. Same input, same
/// text: every ordering has a total tie-break and numbers use the invariant culture.
/// </summary>
public sealed class FactSheetBuilder
{
    public const int DefaultTokenBudget = 384;
    public const int MinimumTokenBudget = 64;

    /// <summary>Labels that differ per replica or scrape target. Alerts differing only in these are one fact.</summary>
    public static readonly IReadOnlySet<string> InstanceLabels = new HashSet<string>(StringComparer.Ordinal)
    {
        "pod", "instance", "container", "endpoint", "uid", "pod_ip", "pod_template_hash", "job", "prometheus", "node",
    };

    private const int MaxLabelsShown = 6;
    private const int MaxLabelValueShown = 48;
    private const int MaxSummaryShown = 96;
    private const int MaxActionShown = 160;
    private const int MaxLabelSetsPerName = 3;

    private readonly ITokenCounter _counter;
    private readonly int _tokenBudget;

    public FactSheetBuilder(ITokenCounter counter, int tokenBudget = DefaultTokenBudget)
    {
        ArgumentNullException.ThrowIfNull(counter);
        if (tokenBudget < MinimumTokenBudget)
            throw new ArgumentOutOfRangeException(nameof(tokenBudget), tokenBudget, $"the token budget must be at least {MinimumTokenBudget}");
        _counter = counter;
        _tokenBudget = tokenBudget;
    }

    public int TokenBudget => _tokenBudget;

    public FactSheet Build(FactSheetInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var alertGroups = GroupAlerts(input);
        var facts = new List<Fact>();
        if (input.Route is { } route) facts.AddRange(RouteFacts(route));
        var latest = input.Metrics.GroupBy(m => m.Version, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(m => m.At).ThenBy(m => m.ErrorRatio).First()).ToList();
        var judged = input.Bounds?.Judge(latest, input.Route?.StableBackend);
        facts.AddRange(VersionFacts(input, judged));
        facts.AddRange(alertGroups.Select(g => AlertFact(g, input)));
        facts.AddRange(ActionFacts(input.RecentActions));
        facts.Sort(Fact.ByRank);

        var header = Header(input, alertGroups);
        var verdict = Verdict(input, judged);
        var reserve = _counter.Count(OmittedLine(facts)) + 1;
        var used = _counter.Count(header) + 1 + reserve + (verdict is null ? 0 : _counter.Count(verdict) + 1);
        var included = new List<Fact>();
        foreach (var fact in facts)
        {
            // Stop at the first fact that does not fit: a smaller, lower-ranked fact must never take
            // the place of a more relevant one (noise would outlive signal).
            var cost = _counter.Count(fact.Line) + 1;
            if (used + cost > _tokenBudget) break;
            included.Add(fact);
            used += cost;
        }

        // Per-line counts can differ from the whole text's count at line joins; settle on the real total.
        while (true)
        {
            var kept = new HashSet<Fact>(included, ReferenceEqualityComparer.Instance);
            var dropped = facts.Where(f => !kept.Contains(f)).ToList();
            var text = Render(header, included, dropped, verdict);
            var tokens = _counter.Count(text);
            if (tokens <= _tokenBudget || included.Count == 0)
            {
                SignalsTelemetry.FactSheetBuilt(dropped.Count);
                return new FactSheet(text, tokens, _tokenBudget, included.Count, dropped.Count)
                {
                    OutOfBounds = judged?.Any(j => j.Value.Count > 0) == true
                        ? judged.Where(j => j.Value.Count > 0).ToDictionary(j => j.Key, j => j.Value, StringComparer.Ordinal)
                        : FactSheet.NothingOutOfBounds,
                };
            }
            included.RemoveAt(included.Count - 1);
        }
    }

    private static string Render(string header, List<Fact> included, List<Fact> dropped, string? verdict)
    {
        var text = new StringBuilder(header);
        foreach (var fact in included.OrderBy(f => f.Section).ThenBy(f => f, Fact.ByRank))
            text.Append('\n').Append(fact.Line);
        if (dropped.Count > 0) text.Append('\n').Append(OmittedLine(dropped));
        if (verdict is not null) text.Append('\n').Append(verdict);
        return text.ToString();
    }

    /// <summary>The first line, never dropped: what the sheet is about.</summary>
    private static string Header(FactSheetInput input, List<AlertGroup> groups)
    {
        var firing = groups.Where(g => g.Status == AlertStatus.Firing).Sum(g => g.Count);
        var resolved = groups.Where(g => g.Status == AlertStatus.Resolved).Sum(g => g.Count);
        var names = groups.Select(g => g.Name).Distinct(StringComparer.Ordinal).Count();
        // No clock time: every time in the sheet is relative to now ("5m ago"), and a date is tokens that decide nothing.
        return Invariant($"workload {input.Workload}; alerts firing={firing} resolved={resolved} names={names}");
    }

    /// <summary>The last line, never dropped, when health bounds are known: which backends are out of bounds, the
    /// measurement every decision starts from ("out-of-bounds none" when it does not confirm the alerts). It comes
    /// last so it is what a model reads right before it answers. The stable backend comes first and is marked:
    /// whether it fails too is what separates "roll the canary back" from "escalate".</summary>
    private static string? Verdict(FactSheetInput input, IReadOnlyDictionary<string, IReadOnlyList<string>>? judged)
    {
        if (judged is null) return null;
        var stable = input.Route?.StableBackend;
        var outOfBounds = judged.Where(j => j.Value.Count > 0)
            .OrderBy(j => j.Key == stable ? 0 : 1).ThenBy(j => j.Key, StringComparer.Ordinal)
            .Select(j => $"{Clip(j.Key, MaxLabelValueShown)}{(j.Key == stable ? " (stable)" : "")} {string.Join(' ', j.Value)}").ToList();
        return "out-of-bounds " + (outOfBounds.Count == 0 ? "none" : string.Join(", ", outOfBounds));
    }

    private static string OmittedLine(IReadOnlyCollection<Fact> dropped)
    {
        var bySection = dropped.GroupBy(f => f.Section).OrderBy(g => g.Key)
            .Select(g => Invariant($"{SectionName(g.Key)} {g.Count()}"));
        return Invariant($"omitted {dropped.Count} lower-ranked facts ({string.Join(", ", bySection)})");
    }

    private static string SectionName(Section section) => section switch
    {
        Section.Route => "route rules",
        Section.Version => "versions",
        Section.Alert => "alert groups",
        _ => "actions",
    };

    // ---- route ----

    private static IEnumerable<Fact> RouteFacts(RouteState route)
    {
        foreach (var rule in route.Rules.OrderBy(r => r.Index))
        {
            var weights = string.Join(" ", rule.Backends.Select(b => Invariant($"{Clip(b.Name, MaxLabelValueShown)}={b.Weight}")));
            var stable = route.StableBackend is null ? "" : $" stable={Clip(route.StableBackend, MaxLabelValueShown)}";
            var line = Invariant($"route {route.Route} rule={rule.Index} weights {weights}{stable}");
            // Rule 0 is the one autopilot manages; the model cannot shift traffic sensibly without it.
            yield return new Fact(Section.Route, rule.Index == 0 ? 1000 : 400, Invariant($"{rule.Index:D6}"), line);
        }
    }

    // ---- per-version health ----

    private static IEnumerable<Fact> VersionFacts(FactSheetInput input, IReadOnlyDictionary<string, IReadOnlyList<string>>? judged)
    {
        var byVersion = input.Metrics
            .GroupBy(m => m.Version, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(m => m.At).ThenBy(m => m.ErrorRatio).ToList())
            .ToList();
        var healthyP99 = byVersion.Select(v => v[0].P99LatencyMs).Where(p => !double.IsNaN(p) && p > 0).DefaultIfEmpty(double.NaN).Min();
        var routed = new HashSet<string>(input.Route?.Weights().Select(b => b.Name) ?? [], StringComparer.Ordinal);

        foreach (var snapshots in byVersion)
        {
            var latest = snapshots[0];
            var previous = snapshots.Count > 1 ? snapshots[1] : null;
            var relevance = 850.0;
            if (latest.ErrorRatio >= 0.01) relevance += 60 + Math.Min(latest.ErrorRatio * 100, 40);
            if (latest.Restarts > 0) relevance += 30;
            if (!double.IsNaN(healthyP99) && latest.P99LatencyMs > 2 * healthyP99) relevance += 30;
            if (routed.Count > 0 && !routed.Contains(latest.Version)) relevance -= 100;
            var violations = judged?.GetValueOrDefault(latest.Version) ?? [];
            if (violations.Count > 0) relevance += 50;

            var line = new StringBuilder(Invariant($"version {Clip(latest.Version, MaxLabelValueShown)}"));
            if (latest.Version == input.Route?.StableBackend) line.Append(" stable");
            line.Append(Invariant($" err={Percent(latest.ErrorRatio)} p99={Millis(latest.P99LatencyMs)} rps={Rate(latest.RequestsPerSecond)} restarts={latest.Restarts} age={Ago(input.Now, latest.At)}"));
            if (violations.Count > 0) line.Append(" out-of-bounds ").AppendJoin(' ', violations);
            if (previous is not null)
                line.Append(Invariant($" (before: err={Percent(previous.ErrorRatio)} p99={Millis(previous.P99LatencyMs)} rps={Rate(previous.RequestsPerSecond)} age={Ago(input.Now, previous.At)})"));
            yield return new Fact(Section.Version, relevance, latest.Version, line.ToString());
        }
    }

    // ---- alerts ----

    /// <summary>Alerts with one name and status. LabelSets > 1 when several label sets were folded
    /// together; then Labels holds only the labels they share and Varying names the ones that differ.</summary>
    private sealed record AlertGroup(string Key, string Name, AlertStatus Status, SortedDictionary<string, string> Labels,
        IReadOnlyList<string> Varying, int LabelSets, int Count, DateTimeOffset FirstStart, DateTimeOffset LastStart,
        DateTimeOffset? LastEnd, string? Summary, int SeverityRank);

    private static List<AlertGroup> GroupAlerts(FactSheetInput input)
    {
        // One alert per fingerprint: the latest word on it (duplicates and redeliveries count once).
        var latest = new Dictionary<string, Alert>(StringComparer.Ordinal);
        foreach (var alert in input.Alerts)
        {
            if (!latest.TryGetValue(alert.Fingerprint, out var seen) || IsNewer(alert, seen))
                latest[alert.Fingerprint] = alert;
        }

        var identityValues = new HashSet<string>(StringComparer.Ordinal) { input.Workload.Namespace, input.Workload.Name };
        var byLabels = latest.Values
            .Select(alert => (alert, labels: ShownLabels(alert, identityValues)))
            .GroupBy(x => GroupKey(x.alert.Name, x.alert.Status, x.labels), StringComparer.Ordinal)
            .Select(g =>
            {
                var members = g.Select(x => x.alert).OrderBy(a => a.StartsAt).ThenBy(a => a.Fingerprint, StringComparer.Ordinal).ToList();
                var first = members[0];
                var labels = g.First().labels;
                var summary = members
                    .Select(a => input.Annotations.Select(name => a.Annotations.GetValueOrDefault(name)).FirstOrDefault(s => !string.IsNullOrWhiteSpace(s)))
                    .FirstOrDefault(s => s is not null);
                return new AlertGroup(g.Key, first.Name, first.Status, labels, [], 1, members.Count,
                    first.StartsAt, members[^1].StartsAt, members.Max(a => a.EndsAt), summary, SeverityRank(labels));
            });

        // A name with many label sets (one per node, zone, target...) is one fact, not hundreds: the model
        // needs "HighMemoryUsage on 300 zones", and a storm must not crowd out the alert that matters.
        return byLabels
            .GroupBy(g => GroupKey(g.Name, g.Status, []), StringComparer.Ordinal)
            .SelectMany(bucket => bucket.Count() <= MaxLabelSetsPerName ? bucket : (IEnumerable<AlertGroup>)[Fold(bucket.Key, bucket.ToList())])
            .ToList();
    }

    private static AlertGroup Fold(string key, List<AlertGroup> groups)
    {
        var names = groups.SelectMany(g => g.Labels.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var shared = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var varying = new List<string>();
        foreach (var name in names)
        {
            var value = groups[0].Labels.GetValueOrDefault(name);
            if (value is not null && groups.All(g => g.Labels.GetValueOrDefault(name) == value)) shared[name] = value;
            else varying.Add(name);
        }
        var first = groups[0];
        return new AlertGroup(key, first.Name, first.Status, shared, varying, groups.Count, groups.Sum(g => g.Count),
            groups.Min(g => g.FirstStart), groups.Max(g => g.LastStart), groups.Max(g => g.LastEnd),
            Summary: null, groups.Max(g => g.SeverityRank));
    }

    private static bool IsNewer(Alert candidate, Alert seen)
    {
        var candidateAt = candidate.EndsAt ?? candidate.StartsAt;
        var seenAt = seen.EndsAt ?? seen.StartsAt;
        if (candidateAt != seenAt) return candidateAt > seenAt;
        return candidate.Status == AlertStatus.Resolved && seen.Status == AlertStatus.Firing;
    }

    private static SortedDictionary<string, string> ShownLabels(Alert alert, HashSet<string> identityValues)
    {
        var shown = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in alert.Labels)
        {
            if (name == "alertname" || InstanceLabels.Contains(name)) continue;
            if (identityValues.Contains(value) && name is "namespace" or "deployment" or "app" or "service" or "workload") continue;
            shown[name] = value;
        }
        return shown;
    }

    private static string GroupKey(string name, AlertStatus status, IEnumerable<KeyValuePair<string, string>> labels)
    {
        var key = new StringBuilder(name).Append('\u0001').Append(status == AlertStatus.Firing ? 'F' : 'R');
        foreach (var (label, value) in labels) key.Append('\u0001').Append(label).Append('=').Append(value);
        return key.ToString();
    }

    /// <summary>4 critical/page, 3 error, 2 warning, 1 unlabelled, 0 info/none.</summary>
    private static int SeverityRank(IReadOnlyDictionary<string, string> labels) =>
        (labels.TryGetValue("severity", out var s) ? s.ToLowerInvariant() : "") switch
        {
            "critical" or "page" => 4,
            "error" or "high" => 3,
            "warning" or "warn" => 2,
            "info" or "none" => 0,
            _ => 1,
        };

    private static Fact AlertFact(AlertGroup group, FactSheetInput input)
    {
        double relevance;
        if (group.Status == AlertStatus.Firing)
        {
            relevance = group.SeverityRank switch { 4 => 700, 3 => 650, 2 => 600, 1 => 450, _ => 420 };
            if (group.Name is "Watchdog" or "InfoInhibitor") relevance = 100; // Prometheus meta-alerts, always firing
            if (input.Now - group.LastStart <= TimeSpan.FromMinutes(10)) relevance += 15;
        }
        else
        {
            relevance = group.SeverityRank == 4 ? 330 : 300;
        }
        if (group.Labels.TryGetValue("version", out var version) && input.Route?.Weights().Any(b => b.Name == version) == true)
            relevance += 20;
        relevance += Math.Min(Math.Log2(group.Count + 1) * 5, 40);

        var line = new StringBuilder(group.Status == AlertStatus.Firing ? "alert firing " : "alert resolved ");
        line.Append(Clip(group.Name, MaxLabelValueShown));
        var labelsShown = 0;
        foreach (var (name, value) in group.Labels)
        {
            if (labelsShown++ == MaxLabelsShown)
            {
                line.Append(Invariant($" +{group.Labels.Count - MaxLabelsShown} labels"));
                break;
            }
            line.Append(' ').Append(name).Append('=').Append(Clip(value, MaxLabelValueShown));
        }
        line.Append(Invariant($" n={group.Count}"));
        if (group.LabelSets > 1)
            line.Append(Invariant($" sets={group.LabelSets} varying={string.Join(',', group.Varying.Take(MaxLabelsShown).Select(v => Clip(v, MaxLabelValueShown)))}"));
        line.Append(Invariant($" first={Ago(input.Now, group.FirstStart)}"));
        if (group.Count > 1) line.Append(Invariant($" last={Ago(input.Now, group.LastStart)}"));
        if (group.Status == AlertStatus.Resolved && group.LastEnd is { } end) line.Append(Invariant($" ended={Ago(input.Now, end)}"));
        if (group.Summary is not null) line.Append(": ").Append(Clip(OneLine(group.Summary), MaxSummaryShown));

        // Tie-break: larger groups, then more recent onsets, then the key itself.
        var tieBreak = Invariant($"{int.MaxValue - group.Count:D10}{long.MaxValue - group.LastStart.UtcTicks:D19}{group.Key}");
        return new Fact(Section.Alert, relevance, tieBreak, line.ToString());
    }

    // ---- recent actions ----

    private static IEnumerable<Fact> ActionFacts(IReadOnlyList<string> actions)
    {
        for (var i = 0; i < actions.Count; i++)
        {
            var recency = actions.Count - i; // 1 = most recent
            var relevance = Math.Max(650 - (recency - 1) * 10, 350);
            var line = Invariant($"action -{recency}: {Clip(OneLine(actions[i]), MaxActionShown)}");
            yield return new Fact(Section.Action, relevance, Invariant($"{recency:D6}"), line);
        }
    }

    // ---- formatting ----

    private enum Section
    {
        Route,
        Version,
        Alert,
        Action,
    }

    private sealed record Fact(Section Section, double Relevance, string TieBreak, string Line)
    {
        public static readonly IComparer<Fact> ByRank = Comparer<Fact>.Create((a, b) =>
        {
            var byRelevance = b.Relevance.CompareTo(a.Relevance);
            if (byRelevance != 0) return byRelevance;
            var bySection = a.Section.CompareTo(b.Section);
            return bySection != 0 ? bySection : string.CompareOrdinal(a.TieBreak, b.TieBreak);
        });
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Percent(double ratio) =>
        double.IsNaN(ratio) ? "n/a" : (ratio * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    private static string Millis(double ms) =>
        double.IsNaN(ms) ? "n/a" : Math.Round(ms).ToString("0", CultureInfo.InvariantCulture) + "ms";

    private static string Rate(double rps) =>
        double.IsNaN(rps) ? "n/a" : rps.ToString(rps >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture);

    /// <summary>"45s ago", "12m ago", "3h ago", "2d ago"; "in 5m" for times after now.</summary>
    internal static string Ago(DateTimeOffset now, DateTimeOffset then)
    {
        var span = now - then;
        var future = span < TimeSpan.Zero;
        if (future) span = span.Negate();
        var text = span.TotalSeconds < 120 ? Invariant($"{(long)span.TotalSeconds}s")
            : span.TotalMinutes < 120 ? Invariant($"{(long)span.TotalMinutes}m")
            : span.TotalHours < 48 ? Invariant($"{(long)span.TotalHours}h")
            : Invariant($"{(long)span.TotalDays}d");
        return future ? "in " + text : text + " ago";
    }

    private static string OneLine(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, 256));
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = builder.Length > 0;
                continue;
            }
            if (space) builder.Append(' ');
            space = false;
            builder.Append(c);
            if (builder.Length > 512) break;
        }
        return builder.ToString();
    }

    /// <summary>Bounds one value inside a fact (a label value, a summary) so no single fact can eat the budget.</summary>
    private static string Clip(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, char.IsHighSurrogate(text[max - 2]) ? max - 2 : max - 1), "…");
}
