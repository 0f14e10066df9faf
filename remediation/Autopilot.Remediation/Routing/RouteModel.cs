using System.Text.Json.Serialization;

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

/// <summary>The weights of one rule a change manages: for a <see cref="RouteChange"/> the weights it was approved
/// against (Before) and the ones it sets (After); for a result or journal entry, what the rule had before and after.</summary>
public sealed record RuleWeights(int RuleIndex, IReadOnlyList<BackendWeight> Before, IReadOnlyList<BackendWeight> After);

/// <summary>What the bridge read from the cluster. StableBackend comes from the route's
/// "autopilot.io/stable-backend" annotation when present.</summary>
/// <remarks>
/// Real routes carry several rules (per path or header match) and the workload's backends may sit in any of them.
/// The workload's rules are found from the stable backend: its backends are those of every rule carrying the stable
/// one, and a change manages every rule carrying any of them (<see cref="RulesCarrying"/>). The loop perceives the
/// workload through one rule, the <see cref="PrimaryRule"/>: weights are per-rule percentages, so summing rules of
/// unequal traffic would give neither a share nor a rate, and a change gives every managed rule the same split.
/// </remarks>
public sealed record RouteState(
    RouteRef Route,
    string ResourceVersion,
    IReadOnlyList<RouteRule> Rules,
    string? StableBackend,
    IReadOnlyDictionary<string, string> Annotations)
{
    /// <summary>The weights the loop perceives the workload through: the primary rule's.</summary>
    public IReadOnlyList<BackendWeight> Weights() => PrimaryRule()?.Backends ?? [];

    /// <summary>The weights of one rule, by index; empty when the route has no such rule.</summary>
    public IReadOnlyList<BackendWeight> Weights(int ruleIndex) =>
        Rules.FirstOrDefault(r => r.Index == ruleIndex)?.Backends ?? [];

    /// <summary>The first rule carrying the stable backend; without one (no annotation, or no rule carries it) the
    /// first rule with backends, which is what a one-rule route always had.</summary>
    public RouteRule? PrimaryRule() =>
        (StableBackend is { } stable ? Rules.FirstOrDefault(r => r.Backends.Any(b => b.Name == stable)) : null)
        ?? Rules.FirstOrDefault(r => r.Backends.Count > 0);

    /// <summary>The workload's backends (stable and canaries), in route order: every backend of the rules carrying the
    /// stable backend, or the primary rule's when the route names no stable backend it carries.</summary>
    public IReadOnlyList<string> WorkloadBackends()
    {
        var rules = StableBackend is { } stable ? Rules.Where(r => r.Backends.Any(b => b.Name == stable)).ToList() : [];
        if (rules.Count == 0 && PrimaryRule() is { } primary) rules.Add(primary);
        return [.. rules.SelectMany(r => r.Backends).Select(b => b.Name).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The rules a change to <paramref name="backends"/> manages: every rule whose backendRefs include any of
    /// them, in route order.</summary>
    public IReadOnlyList<RouteRule> RulesCarrying(IEnumerable<string> backends)
    {
        var names = backends.ToHashSet(StringComparer.Ordinal);
        return [.. Rules.Where(r => r.Backends.Any(b => names.Contains(b.Name)))];
    }
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
/// <remarks>RuleIndex, ExpectedWeights and NewWeights are the change's first rule (the route's primary rule when the
/// change manages it); <see cref="MoreRules"/> holds every other rule it manages, each with its own precondition.
/// Without more rules a change keeps the one-rule wire and token form it always had (<c>autopilot.change.v1</c>); with
/// them it is signed as <c>autopilot.change.v2</c>, so a bridge that does not know <c>moreRules</c> (and would
/// ignore them) computes another digest and refuses the whole change rather than apply part of it.</remarks>
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
    bool DryRun,
    IReadOnlyList<RuleWeights>? MoreRules = null)
{
    /// <summary>Every rule the change manages, its first rule first (Before = expected, After = new).</summary>
    [JsonIgnore]
    public IReadOnlyList<RuleWeights> Rules => [new(RuleIndex, ExpectedWeights, NewWeights), .. MoreRules ?? []];

    /// <summary>A change over <paramref name="rules"/> (at least one); the first becomes RuleIndex/ExpectedWeights/NewWeights.</summary>
    public static RouteChange ForRules(string changeId, string incidentId, RouteRef route, ChangeKind kind,
        IReadOnlyList<RuleWeights> rules, RateLimitSpec? rateLimit, string reason, bool dryRun)
    {
        if (rules.Count == 0) throw new ArgumentException("A change manages at least one rule.", nameof(rules));
        return new RouteChange(changeId, incidentId, route, rules[0].RuleIndex, kind, rules[0].Before, rules[0].After,
            rateLimit, reason, dryRun, rules.Count > 1 ? [.. rules.Skip(1)] : null);
    }
}

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

/// <summary>What a change did. Before/After are the weights of its first rule (RuleIndex, the primary rule when it
/// changed it), which the loop reads; <see cref="MoreRules"/> the other rules it touched.</summary>
public sealed record ChangeResult(
    string ChangeId,
    ChangeOutcome Outcome,
    RouteRef Route,
    IReadOnlyList<BackendWeight> Before,
    IReadOnlyList<BackendWeight> After,
    string ResourceVersion,
    DateTimeOffset At,
    int RuleIndex = 0,
    IReadOnlyList<RuleWeights>? MoreRules = null)
{
    /// <summary>Every rule the change touched, its first rule first.</summary>
    [JsonIgnore]
    public IReadOnlyList<RuleWeights> Rules => [new(RuleIndex, Before, After), .. MoreRules ?? []];
}
