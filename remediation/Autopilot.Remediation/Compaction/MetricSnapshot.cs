namespace Autopilot.Remediation.Compaction;

/// <summary>Health of one version (backend) of a workload at one instant. NaN where the source had no data.</summary>
public sealed record MetricSnapshot(
    string Version,
    double ErrorRatio,
    double P99LatencyMs,
    double RequestsPerSecond,
    int Restarts,
    DateTimeOffset At);

/// <summary>The compact text the model sees, and what was left out to fit the budget.</summary>
public sealed record FactSheet(string Text, int Tokens, int TokenBudget, int FactsIncluded, int FactsDropped)
{
    /// <summary>The backends the sheet's out-of-bounds line names, each with its signals past the bounds ("err>5%");
    /// empty when none is, or no bounds were given.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> OutOfBounds { get; init; } = NothingOutOfBounds;

    /// <summary>One shared empty value, so that two sheets without out-of-bounds backends compare equal.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NothingOutOfBounds =
        System.Collections.ObjectModel.ReadOnlyDictionary<string, IReadOnlyList<string>>.Empty;
}
