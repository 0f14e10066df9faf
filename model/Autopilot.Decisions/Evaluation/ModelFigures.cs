using Autopilot.Remediation.Proposals;

namespace Autopilot.Decisions.Evaluation;

/// <summary>A count out of a total; the rate is null when nothing was judged (better than a misleading 0 %).</summary>
public sealed record Ratio(int Count, int Total)
{
    public double? Rate => Total == 0 ? null : (double)Count / Total;

    public static Ratio Of<T>(IEnumerable<T> judged, Func<T, bool> counts)
    {
        var list = judged as IReadOnlyCollection<T> ?? judged.ToList();
        return new Ratio(list.Count(counts), list.Count);
    }
}

public sealed record SopAccuracy(string Sop, Ratio Correct);

/// <summary>Mean and max of a per-case count, over the cases that have one.</summary>
public sealed record Spread(double? Mean, int? Max)
{
    public static Spread Of(IEnumerable<int?> values)
    {
        var present = values.OfType<int>().ToList();
        return present.Count == 0 ? new Spread(null, null) : new Spread(present.Average(), present.Max());
    }
}

/// <summary>Every figure of one model over one case set. See <see cref="From"/> for what each counts.</summary>
public sealed record ModelFigures
{
    public const string NoSop = "(no SOP)";

    public required string Model { get; init; }
    public required int Cases { get; init; }

    /// <summary>Right action over every case, whoever wrote the proposal.</summary>
    public required Ratio Accuracy { get; init; }

    public required IReadOnlyList<SopAccuracy> AccuracyBySop { get; init; }

    /// <summary>Right action among the proposals the model wrote (parsed and used).</summary>
    public required Ratio ModelProposalAccuracy { get; init; }

    /// <summary>Within bounds among the proposals whose parameters the case bounds.</summary>
    public required Ratio WithinBounds { get; init; }

    /// <summary>Rejected by the parser among the cases where the model was asked.</summary>
    public required Ratio InvalidOutput { get; init; }

    /// <summary>No answer (unavailable, deadline) among the cases where the model was asked.</summary>
    public required Ratio ModelErrors { get; init; }

    /// <summary>Not written by the model, among the cases that have an SOP (a case without one falls back by design).</summary>
    public required Ratio Fallback { get; init; }

    /// <summary>Reasons naming every expected name, among the model's proposals for cases that list names.</summary>
    public required Ratio Grounded { get; init; }

    /// <summary>Planner wall time over the cases where the model was asked (the others take no model time).</summary>
    public double? LatencyP50Ms { get; init; }
    public double? LatencyP99Ms { get; init; }

    public required Spread PromptTokens { get; init; }
    public required Spread CompletionTokens { get; init; }

    /// <summary>Cases per verdict outcome (allowed, denied, needs_approval).</summary>
    public required IReadOnlyDictionary<string, int> Verdicts { get; init; }

    /// <summary>How often each policy rule stood in the way (denials and approvals).</summary>
    public required IReadOnlyDictionary<string, int> VerdictRules { get; init; }

    public required ConfusionMatrix Confusion { get; init; }

    public static ModelFigures From(string model, IReadOnlyList<CaseResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var asked = results.Where(r => r.ModelAsked).ToList();
        var latencies = asked.Select(r => r.LatencyMs).ToList();
        return new ModelFigures
        {
            Model = model,
            Cases = results.Count,
            Accuracy = Ratio.Of(results, r => r.CorrectAction),
            AccuracyBySop = results
                .GroupBy(r => r.Sop ?? NoSop)
                .OrderBy(g => g.Key == NoSop).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new SopAccuracy(g.Key, Ratio.Of(g, r => r.CorrectAction)))
                .ToList(),
            ModelProposalAccuracy = Ratio.Of(results.Where(r => r.WrittenByModel), r => r.CorrectAction),
            WithinBounds = Ratio.Of(results.Where(r => r.WithinBounds is not null), r => r.WithinBounds == true),
            InvalidOutput = Ratio.Of(asked, r => r.InvalidOutput),
            ModelErrors = Ratio.Of(asked, r => r.ModelError is not null),
            Fallback = Ratio.Of(results.Where(r => r.Sop is not null), r => !r.WrittenByModel),
            Grounded = Ratio.Of(results.Where(r => r.Grounded is not null), r => r.Grounded == true),
            LatencyP50Ms = Percentile(latencies, 50),
            LatencyP99Ms = Percentile(latencies, 99),
            PromptTokens = Spread.Of(results.Select(r => r.PromptTokens)),
            CompletionTokens = Spread.Of(results.Select(r => r.CompletionTokens)),
            Verdicts = VerdictOutcomes.All.ToDictionary(o => o, o => results.Count(r => r.Verdict.Outcome == o)),
            VerdictRules = results.SelectMany(r => r.Verdict.Rules)
                .GroupBy(rule => rule).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            Confusion = ConfusionMatrix.From(results),
        };
    }

    /// <summary>Nearest-rank percentile: the smallest value with at least p % of the values at or below it, so it is
    /// always a latency that actually happened. Null for no values.</summary>
    public static double? Percentile(IReadOnlyCollection<double> values, double percent)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        if (values.Count == 0) return null;
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}

/// <summary>Cases by expected prescribed action (rows) and proposed action (columns), in the order of
/// <see cref="ActionNames.All"/>. Cases that only forbid actions have no prescribed one: row "(any other)".</summary>
public sealed record ConfusionMatrix(IReadOnlyList<string> Expected, IReadOnlyList<string> Proposed, IReadOnlyList<IReadOnlyList<int>> Counts)
{
    public const string NoPrescribed = "(any other)";

    public int Count(string expected, string proposed)
    {
        var row = Expected.ToList().IndexOf(expected);
        var column = Proposed.ToList().IndexOf(proposed);
        return row < 0 || column < 0 ? 0 : Counts[row][column];
    }

    public static ConfusionMatrix From(IReadOnlyList<CaseResult> results)
    {
        var pairs = results.Select(r => (Expected: r.Prescribed ?? NoPrescribed, Proposed: r.Action)).ToList();
        var expected = Ordered(pairs.Select(p => p.Expected));
        var proposed = Ordered(pairs.Select(p => p.Proposed));
        var counts = expected
            .Select(e => (IReadOnlyList<int>)[.. proposed.Select(p => pairs.Count(x => x.Expected == e && x.Proposed == p))])
            .ToList();
        return new ConfusionMatrix(expected, proposed, counts);
    }

    // Known actions in their canonical order, then anything else (the "(any other)" row) in name order.
    private static List<string> Ordered(IEnumerable<string> labels)
    {
        var distinct = labels.Distinct().ToList();
        return [.. ActionNames.All.Where(distinct.Contains), .. distinct.Except(ActionNames.All).Order(StringComparer.Ordinal)];
    }
}
