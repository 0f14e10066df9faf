using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Proposals;

/// <summary>The inclusive range of weights one backend may receive in a shift_traffic proposal.</summary>
internal sealed record WeightRange(string Backend, int Min, int Max);

/// <summary>
/// The single source of truth for what the model may say for one SOP and one route: which actions can be
/// expressed here and the bounds of their parameters. The grammar, the JSON schema and the parser all read
/// it, so they cannot drift apart.
/// </summary>
internal sealed class ProposalShape
{
    private readonly Dictionary<string, AllowedAction> _bounds;

    private ProposalShape(
        ProposalContext context,
        Dictionary<string, AllowedAction> bounds,
        IReadOnlyList<string> actions,
        IReadOnlyDictionary<string, string> unavailable,
        IReadOnlyList<WeightRange> shiftWeights,
        IReadOnlyList<string> isolateCandidates,
        int minRequestsPerSecond,
        int maxRequestsPerSecond)
    {
        Context = context;
        _bounds = bounds;
        Actions = actions;
        Unavailable = unavailable;
        ShiftWeights = shiftWeights;
        IsolateCandidates = isolateCandidates;
        MinRequestsPerSecond = minRequestsPerSecond;
        MaxRequestsPerSecond = maxRequestsPerSecond;
    }

    public ProposalContext Context { get; }

    /// <summary>Actions the SOP allows that can be expressed for this route, in <see cref="ActionNames.All"/> order.</summary>
    public IReadOnlyList<string> Actions { get; }

    /// <summary>Actions the SOP allows but this route cannot take, with the reason (e.g. no stable backend to roll back to).</summary>
    public IReadOnlyDictionary<string, string> Unavailable { get; }

    public IReadOnlyList<WeightRange> ShiftWeights { get; }
    public IReadOnlyList<string> IsolateCandidates { get; }
    public int MinRequestsPerSecond { get; }
    public int MaxRequestsPerSecond { get; }

    public bool SopAllows(string action) => _bounds.ContainsKey(action);

    public AllowedAction BoundsOf(string action) => _bounds[action];

    public static ProposalShape Of(IReadOnlyList<AllowedAction> allowed, ProposalContext context)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        ValidateContext(context);

        // An SOP that lists an action twice keeps the first entry: the author's first word wins, as in the file.
        var bounds = new Dictionary<string, AllowedAction>(StringComparer.Ordinal);
        foreach (var action in allowed)
        {
            if (action is not null && ActionNames.All.Contains(action.Action)) bounds.TryAdd(action.Action, action);
        }

        var unavailable = new Dictionary<string, string>(StringComparer.Ordinal);
        // Without a route (the actor could not read it) only escalate and no_action can be said.
        if (!HasRoute(context))
        {
            foreach (var action in bounds.Keys.Where(RouteActions.Contains))
                unavailable[action] = "no route is under remediation (the route could not be read)";
        }
        var shiftWeights = bounds.TryGetValue(ActionNames.ShiftTraffic, out var shift) ? WeightRanges(shift, context) : [];
        if (bounds.ContainsKey(ActionNames.ShiftTraffic) && !unavailable.ContainsKey(ActionNames.ShiftTraffic))
        {
            if (context.Backends.Count == 0)
                unavailable[ActionNames.ShiftTraffic] = $"route {context.Route} has no backends";
            else if (shiftWeights.Sum(w => w.Min) > 100 || shiftWeights.Sum(w => w.Max) < 100 || shiftWeights.Any(w => w.Min > w.Max))
                unavailable[ActionNames.ShiftTraffic] = "no weights within the SOP's bounds sum to 100 from the route's current weights";
        }

        var stable = StableIn(context);
        if (bounds.ContainsKey(ActionNames.RollbackCanary) && stable is null && !unavailable.ContainsKey(ActionNames.RollbackCanary))
            unavailable[ActionNames.RollbackCanary] = $"route {context.Route} names no stable backend among its backends";

        // The stable backend is the known-good fallback; taking it out is a human decision, not a remediation.
        var isolateCandidates = context.Backends.Where(b => b != stable).ToArray();
        if (bounds.TryGetValue(ActionNames.IsolateBackend, out var isolate) && !unavailable.ContainsKey(ActionNames.IsolateBackend))
        {
            if (isolateCandidates.Length == 0 || context.Backends.Count < 2)
                unavailable[ActionNames.IsolateBackend] = $"route {context.Route} has no backend other than the stable one to isolate";
            else
            {
                isolateCandidates = isolateCandidates.Where(b => IsolationWithinBounds(b, isolate, context, stable)).ToArray();
                if (isolateCandidates.Length == 0)
                    unavailable[ActionNames.IsolateBackend] = "isolating any backend would break the SOP's bounds from the route's current weights";
            }
        }

        var minRps = ProposalLimits.MinRequestsPerSecond;
        var maxRps = ProposalLimits.MaxRequestsPerSecond;
        if (bounds.TryGetValue(ActionNames.SetRateLimit, out var rate))
        {
            minRps = Math.Clamp(rate.MinRequestsPerSecond ?? minRps, ProposalLimits.MinRequestsPerSecond, ProposalLimits.MaxRequestsPerSecond);
            maxRps = Math.Clamp(rate.MaxRequestsPerSecond ?? maxRps, ProposalLimits.MinRequestsPerSecond, ProposalLimits.MaxRequestsPerSecond);
            if (minRps > maxRps && !unavailable.ContainsKey(ActionNames.SetRateLimit))
                unavailable[ActionNames.SetRateLimit] = $"the SOP's requests-per-second bounds are empty ({minRps} > {maxRps})";
        }

        var actions = ActionNames.All.Where(a => bounds.ContainsKey(a) && !unavailable.ContainsKey(a)).ToArray();
        return new ProposalShape(context, bounds, actions, unavailable, shiftWeights, isolateCandidates, minRps, maxRps);
    }

    /// <summary>Actions that name the route and so need one.</summary>
    public static readonly IReadOnlySet<string> RouteActions = new HashSet<string>(
        [ActionNames.ShiftTraffic, ActionNames.RollbackCanary, ActionNames.IsolateBackend, ActionNames.SetRateLimit], StringComparer.Ordinal);

    public static bool HasRoute(ProposalContext context) => !string.IsNullOrWhiteSpace(context.Route);

    /// <summary>The stable backend if the route really has it.</summary>
    public static string? StableIn(ProposalContext context) =>
        context.StableBackend is { } s && context.Backends.Contains(s, StringComparer.Ordinal) ? s : null;

    /// <summary>Whether isolating <paramref name="backend"/> keeps the SOP's floor and step bounds, judged from the
    /// current weights (without them the policy engine is the only judge).</summary>
    private static bool IsolationWithinBounds(string backend, AllowedAction bounds, ProposalContext context, string? stable)
    {
        if (context.CurrentWeights is not { } current || bounds is { MinStableWeight: null, MaxStepPercent: null }) return true;
        var before = TrafficPlan.Percentages(context.Backends.Select(b => new BackendWeight(b, current.GetValueOrDefault(b))).ToArray());
        var after = TrafficPlan.Isolate(backend, before, out _);
        if (after is null) return false;
        if (bounds.MinStableWeight is { } floor && stable is not null && after.First(w => w.Name == stable).Weight < floor) return false;
        return bounds.MaxStepPercent is not { } step || before.Zip(after, (x, y) => Math.Abs(x.Weight - y.Weight)).Max() <= step;
    }

    private static IReadOnlyList<WeightRange> WeightRanges(AllowedAction bounds, ProposalContext context)
    {
        var stable = StableIn(context);
        var ranges = new List<WeightRange>(context.Backends.Count);
        foreach (var backend in context.Backends)
        {
            int min = 0, max = 100;
            if (bounds.MaxStepPercent is { } step && context.CurrentWeights is { } current && current.TryGetValue(backend, out var now))
            {
                min = Math.Max(min, now - step);
                max = Math.Min(max, now + step);
            }
            if (backend == stable && bounds.MinStableWeight is { } floor) min = Math.Max(min, floor);
            ranges.Add(new WeightRange(backend, min, max));
        }
        return ranges;
    }

    private static void ValidateContext(ProposalContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(context.Route);
        ArgumentNullException.ThrowIfNull(context.Backends);
        if (context.Backends.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("ProposalContext.Backends must not contain empty names.", nameof(context));
        if (context.Backends.Distinct(StringComparer.Ordinal).Count() != context.Backends.Count)
            throw new ArgumentException($"ProposalContext.Backends lists a backend twice: {string.Join(", ", context.Backends)}.", nameof(context));
    }
}
