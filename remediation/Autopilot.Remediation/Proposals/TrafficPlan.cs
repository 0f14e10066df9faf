using System.Text.Json.Serialization;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Proposals;

/// <summary>What a proposal concretely does to the rules of a route it manages. Weights are percentages in route
/// order; every After sums to 100. For a rate limit, After equals Before. Before/After are the first rule's (the
/// route's primary rule when the change manages it, which is what the loop perceives); MoreRules are the others.
/// The shape is what it was for one rule plus the optional rest, so verdicts persisted before still read.</summary>
public sealed record ResolvedChange(
    ChangeKind Kind,
    IReadOnlyList<BackendWeight> Before,
    IReadOnlyList<BackendWeight> After,
    RateLimitSpec? RateLimit,
    int RuleIndex = 0,
    IReadOnlyList<RuleWeights>? MoreRules = null)
{
    /// <summary>Every rule the change manages, the first rule first.</summary>
    [JsonIgnore]
    public IReadOnlyList<RuleWeights> Rules => [new(RuleIndex, Before, After), .. MoreRules ?? []];

    public static ResolvedChange ForRules(ChangeKind kind, IReadOnlyList<RuleWeights> rules, RateLimitSpec? rateLimit) =>
        new(kind, rules[0].Before, rules[0].After, rateLimit, rules[0].RuleIndex, rules.Count > 1 ? [.. rules.Skip(1)] : null);
}

/// <summary>
/// Turns a proposal into the weights it would set, from the route as it is now, on every rule it manages.
/// </summary>
/// <remarks>
/// A route may carry the workload's backends in several rules (per path or header match). The rules a proposal
/// manages are those carrying the backends it is about: the weights a shift names, the backend an isolation names, or
/// for a rollback (and a rate limit) the workload's stable and canaries (<see cref="RouteState.WorkloadBackends"/>).
/// A shift or rollback is one target split, applied to each managed rule: the backends of the split that a rule carries
/// share what the rule gives them now, in the split's proportions (so a rule carrying them all gets the split exactly),
/// and a backend the split does not name keeps its weight — the proposal is about the workload, not about whatever
/// else shares the rule. A rule where the split would leave all of its backends at 0 (a canary-only header rule on a
/// rollback) is left alone: changing it would drop that rule's traffic, which the bridge refuses, and sending it to
/// another backend means adding a backendRef, which is a person's call. Isolation is per rule already: a rule where
/// the isolated backend is the only one is left alone for the same reason.
/// </remarks>
public static class TrafficPlan
{
    /// <summary>The concrete change, or null for proposals that change no traffic (escalate, no_action).</summary>
    /// <exception cref="InvalidOperationException">The proposal does not fit the route (wrong route, unknown
    /// backend, weights not summing to 100); the message says why. <see cref="TryResolve"/> does not throw.</exception>
    public static ResolvedChange? Resolve(Proposal proposal, RouteState route, string stableBackend) =>
        TryResolve(proposal, route, stableBackend, out var change, out var error)
            ? change
            : throw new InvalidOperationException(error);

    public static bool TryResolve(
        Proposal proposal, RouteState route, string? stableBackend,
        out ResolvedChange? change, out string error)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(route);
        change = null;
        error = "";
        if (!proposal.ChangesTraffic) return true;

        if (!ProposalJson.Names(proposal, route.Route))
        {
            error = $"the proposal names route {ProposalJson.RouteOf(proposal)}, not {route.Route}";
            return false;
        }
        // The stable backend the caller judges by also decides which rules are the workload's.
        if (route.StableBackend != stableBackend) route = route with { StableBackend = stableBackend };
        var workload = route.WorkloadBackends();
        if (workload.Count == 0)
        {
            error = $"route {route.Route} has no rule with backends";
            return false;
        }

        IReadOnlyList<RuleWeights>? rules;
        switch (proposal)
        {
            case ShiftTraffic shift:
                rules = Shift(shift, route, workload, out error);
                break;
            case RollbackCanary:
                rules = Rollback(route, workload, stableBackend, out error);
                break;
            case IsolateBackend isolate:
                rules = Isolate(isolate.Backend, route, out error);
                break;
            case SetRateLimit rate:
                if (rate.RequestsPerSecond <= 0)
                {
                    error = $"requests per second must be positive, got {rate.RequestsPerSecond}";
                    return false;
                }
                // The limit is the route's; the weights of the workload's rules are its precondition, unchanged.
                // Burst of one second's worth: a token bucket that absorbs the spikes the limit itself allows.
                rules = PrimaryFirst(route, route.RulesCarrying(workload).Select(r => new RuleWeights(r.Index, r.Backends, r.Backends)));
                change = ResolvedChange.ForRules(ChangeKind.SetRateLimit, rules, new RateLimitSpec(rate.RequestsPerSecond, rate.RequestsPerSecond));
                return true;
            default:
                error = $"action {proposal.Action} has no traffic plan";
                return false;
        }
        if (rules is null) return false;

        var kind = proposal switch
        {
            RollbackCanary => ChangeKind.RollbackToKnownGood,
            IsolateBackend => ChangeKind.IsolateBackend,
            _ => ChangeKind.SetWeights,
        };
        change = ResolvedChange.ForRules(kind, rules, null);
        return true;
    }

    /// <summary>Route weights as percentages summing to 100 (Gateway API weights are relative; ours are
    /// percentages already, but a hand-edited route may say 1/1). Largest remainder, ties to route order.</summary>
    public static IReadOnlyList<BackendWeight> Percentages(IReadOnlyList<BackendWeight> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var total = weights.Sum(w => (long)Math.Max(0, w.Weight));
        if (total == 100 || weights.Count == 0) return weights;
        if (total == 0) return Spread(weights.Select(w => w.Name).ToArray(), weights.Select(_ => 1L).ToArray());
        return Spread(weights.Select(w => w.Name).ToArray(), weights.Select(w => (long)Math.Max(0, w.Weight)).ToArray());
    }

    private static IReadOnlyList<RuleWeights>? Shift(ShiftTraffic shift, RouteState route, IReadOnlyList<string> workload, out string error)
    {
        error = "";
        var onRoute = route.Rules.SelectMany(r => r.Backends).Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = shift.Weights.Keys.Where(k => !onRoute.Contains(k)).ToArray();
        if (unknown.Length > 0)
        {
            error = $"unknown backend(s) {string.Join(", ", unknown)}; the route has {string.Join(", ", workload)}";
            return null;
        }
        var missing = workload.Where(b => !shift.Weights.ContainsKey(b)).ToArray();
        if (missing.Length > 0)
        {
            error = $"no weight given for {string.Join(", ", missing)}";
            return null;
        }
        if (shift.Weights.Values.Any(w => w is < 0 or > 100) || shift.Weights.Values.Sum() != 100)
        {
            error = $"weights must be percents 0..100 summing to 100, got {string.Join(", ", shift.Weights.Select(w => $"{w.Key}={w.Value}"))}";
            return null;
        }
        return Split(shift.Weights, route, route.RulesCarrying(shift.Weights.Keys), out error);
    }

    private static IReadOnlyList<RuleWeights>? Rollback(RouteState route, IReadOnlyList<string> workload, string? stableBackend, out string error)
    {
        error = "";
        if (stableBackend is null || !workload.Contains(stableBackend))
        {
            error = $"cannot roll back: stable backend '{stableBackend}' is not one of {string.Join(", ", workload)}";
            return null;
        }
        var split = workload.ToDictionary(b => b, b => b == stableBackend ? 100 : 0, StringComparer.Ordinal);
        return Split(split, route, route.RulesCarrying(workload), out error);
    }

    /// <summary>The target split on each rule (see the class remarks); rules it would empty are left alone.</summary>
    private static IReadOnlyList<RuleWeights>? Split(IReadOnlyDictionary<string, int> split, RouteState route, IReadOnlyList<RouteRule> managed, out string error)
    {
        error = "";
        var rules = new List<RuleWeights>();
        foreach (var rule in managed)
        {
            var before = Percentages(rule.Backends);
            var named = before.Where(b => split.ContainsKey(b.Name)).ToArray();
            var targets = named.Select(b => (long)split[b.Name]).ToArray();
            if (targets.All(t => t == 0)) continue;
            var share = named.Sum(b => b.Weight);
            var spread = Spread(named.Select(b => b.Name).ToArray(), targets, share).ToDictionary(w => w.Name, w => w.Weight, StringComparer.Ordinal);
            rules.Add(new RuleWeights(rule.Index, rule.Backends, [.. before.Select(b => new BackendWeight(b.Name, spread.GetValueOrDefault(b.Name, b.Weight)))]));
        }
        if (rules.Count == 0)
        {
            error = $"the split would leave no backend of route {route.Route} with traffic";
            return null;
        }
        return PrimaryFirst(route, rules);
    }

    private static IReadOnlyList<RuleWeights>? Isolate(string backend, RouteState route, out string error)
    {
        error = "";
        var carrying = route.RulesCarrying([backend]);
        if (carrying.Count == 0)
        {
            error = $"unknown backend {backend}; the route has {string.Join(", ", route.WorkloadBackends())}";
            return null;
        }
        var rules = new List<RuleWeights>();
        foreach (var rule in carrying)
            if (Isolate(backend, rule.Backends, out _) is { } after) rules.Add(new RuleWeights(rule.Index, rule.Backends, after));
        if (rules.Count == 0)
        {
            error = $"cannot isolate {backend}: it is the only backend of every rule of route {route.Route} that carries it";
            return null;
        }
        return PrimaryFirst(route, rules);
    }

    /// <summary>The primary rule first (the loop reads a change's first rule), the others in route order.</summary>
    private static IReadOnlyList<RuleWeights> PrimaryFirst(RouteState route, IEnumerable<RuleWeights> rules)
    {
        var primary = route.PrimaryRule()?.Index;
        return [.. rules.OrderBy(r => r.RuleIndex == primary ? 0 : 1).ThenBy(r => r.RuleIndex)];
    }

    internal static IReadOnlyList<BackendWeight>? Isolate(string backend, IReadOnlyList<BackendWeight> before, out string error)
    {
        error = "";
        if (before.All(b => b.Name != backend))
        {
            error = $"unknown backend {backend}; the route has {string.Join(", ", before.Select(b => b.Name))}";
            return null;
        }
        var others = before.Where(b => b.Name != backend).ToArray();
        if (others.Length == 0)
        {
            error = $"cannot isolate {backend}: it is the route's only backend";
            return null;
        }
        // The others keep their relative shares; if they had none, they share equally.
        var shares = others.Select(b => (long)Math.Max(0, b.Weight)).ToArray();
        if (shares.All(s => s == 0)) Array.Fill(shares, 1L);
        var spread = Spread(others.Select(b => b.Name).ToArray(), shares).ToDictionary(w => w.Name, w => w.Weight);
        return before.Select(b => new BackendWeight(b.Name, b.Name == backend ? 0 : spread[b.Name])).ToArray();
    }

    /// <summary>Splits <paramref name="amount"/> (100 unless given) in proportion to shares; leftover points go to the
    /// largest remainders, ties in order.</summary>
    private static IReadOnlyList<BackendWeight> Spread(string[] names, long[] shares, int amount = 100)
    {
        var total = shares.Sum();
        var weights = shares.Select(s => (int)(s * amount / total)).ToArray();
        var leftover = amount - weights.Sum();
        var byRemainder = Enumerable.Range(0, names.Length)
            .OrderByDescending(i => shares[i] * amount % total)
            .ThenBy(i => i)
            .Take(leftover);
        foreach (var i in byRemainder) weights[i]++;
        return names.Select((n, i) => new BackendWeight(n, weights[i])).ToArray();
    }
}
