namespace Autopilot.Remediation.Routing;

/// <summary>A Gateway API HTTPRoute, by namespace and name.</summary>
public sealed record RouteRef(string Namespace, string Name)
{
    public override string ToString() => $"{Namespace}/{Name}";

    public static RouteRef Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            throw new FormatException($"'{text}' is not a route reference of the form namespace/name.");
        return new RouteRef(parts[0], parts[1]);
    }
}

/// <summary>One backendRef of a rule and its weight (Gateway API: 0..1,000,000; we use percentages 0..100).</summary>
public sealed record BackendWeight(string Name, int Weight);

public sealed record RouteRule(int Index, IReadOnlyList<BackendWeight> Backends);

/// <summary>What the bridge read from the cluster. StableBackend comes from the route's
/// "autopilot.io/stable-backend" annotation when present.</summary>
public sealed record RouteState(
    RouteRef Route,
    string ResourceVersion,
    IReadOnlyList<RouteRule> Rules,
    string? StableBackend,
    IReadOnlyDictionary<string, string> Annotations)
{
    /// <summary>The rule autopilot manages: rule 0 unless a change names another.</summary>
    public IReadOnlyList<BackendWeight> Weights(int ruleIndex = 0) =>
        Rules.FirstOrDefault(r => r.Index == ruleIndex)?.Backends ?? [];
}

public enum ChangeKind
{
    SetWeights,
    IsolateBackend,
    RollbackToKnownGood,
    SetRateLimit,
}

public sealed record RateLimitSpec(int RequestsPerSecond, int Burst);

/// <summary>A change the guardrail approved. ExpectedWeights is the precondition: if the route no longer
/// has them, the bridge refuses (412) instead of applying on top.</summary>
public sealed record RouteChange(
    string ChangeId,
    string IncidentId,
    RouteRef Route,
    int RuleIndex,
    ChangeKind Kind,
    IReadOnlyList<BackendWeight> ExpectedWeights,
    IReadOnlyList<BackendWeight> NewWeights,
    RateLimitSpec? RateLimit,
    string Reason,
    bool DryRun);

/// <summary>Asks the bridge to restore the weights (and rate-limit policy) a route had before change
/// <paramref name="ChangeId"/>. UndoChangeId is the id of the undo itself (idempotent like any change).
/// Route is optional: without it the bridge searches its journal across routes.</summary>
public sealed record UndoRequest(string ChangeId, string UndoChangeId, string IncidentId, string Reason, RouteRef? Route = null);

public enum ChangeOutcome
{
    Applied,
    AlreadyApplied,

    /// <summary>The route already had the weights asked for: nothing was patched or journaled, and no change budget is used.</summary>
    AlreadyInPlace,
    DryRun,
    Undone,
}

/// <summary>What a change did; Before/After are the weights of the changed rule.</summary>
public sealed record ChangeResult(
    string ChangeId,
    ChangeOutcome Outcome,
    RouteRef Route,
    IReadOnlyList<BackendWeight> Before,
    IReadOnlyList<BackendWeight> After,
    string ResourceVersion,
    DateTimeOffset At);
