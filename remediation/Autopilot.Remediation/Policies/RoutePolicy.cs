using System.Globalization;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Policies;

/// <summary>
/// The rules for the routes one policy covers, as written in a policy file (key names in comments).
/// Omitted keys take the defaults given here; escalate and no_action change nothing and are always allowed.
/// </summary>
public sealed record RoutePolicy(
    string Name,
    PolicySelector Selector,
    IReadOnlyList<string> AllowedActions,        // allowed_actions (required in files)
    int MinStableWeight = 0,                      // min_stable_weight: percent the stable backend keeps
    int MaxStepPercent = 100,                     // max_step_percent: largest move of any backend's weight
    ChangeBudget? MaxChanges = null,              // max_changes: {count, window}
    IReadOnlyList<FreezeWindow>? FreezeWindows = null, // freeze_windows
    IReadOnlyList<string>? RequireApproval = null,     // require_approval: actions a human must approve
    bool DryRun = false,                          // dry_run: evaluate and record, never apply
    IReadOnlyList<string>? Namespaces = null,     // namespaces: where changes may happen (null = any)
    int? MinRequestsPerSecond = null,             // min_requests_per_second for set_rate_limit
    int? MaxRequestsPerSecond = null,             // max_requests_per_second for set_rate_limit
    string Source = "",
    IReadOnlyList<string>? Approvers = null)      // approvers: group:NAME / user:SUBJECT who may answer approvals (null = any signed-in person)
{
    /// <summary>What applies to a route no policy selects: nothing that changes traffic.</summary>
    public static RoutePolicy NoPolicy { get; } = new("builtin:no-policy", PolicySelector.Default, [], Source: "built-in");

    public IReadOnlyList<FreezeWindow> FreezeWindowsOrEmpty => FreezeWindows ?? [];
    public IReadOnlyList<string> RequireApprovalOrEmpty => RequireApproval ?? [];
}

/// <summary>Which routes a policy covers: one route, one namespace, or (both null) every route.
/// A route policy beats a namespace policy beats the default.</summary>
public sealed record PolicySelector(string? Route, string? Namespace)
{
    public static PolicySelector Default { get; } = new(null, null);
    public static PolicySelector ForRoute(RouteRef route) => new(route.ToString(), null);
    public static PolicySelector ForNamespace(string ns) => new(null, ns);

    public bool IsDefault => Route is null && Namespace is null;

    /// <summary>2 for a route, 1 for a namespace, 0 for the default.</summary>
    public int Specificity => Route is not null ? 2 : Namespace is not null ? 1 : 0;

    public bool Matches(RouteRef route) =>
        Route is not null ? Route == route.ToString()
        : Namespace is null || Namespace == route.Namespace;

    public override string ToString() =>
        Route is not null ? $"route {Route}" : Namespace is not null ? $"namespace {Namespace}" : "default";
}

/// <summary>At most Count traffic changes per route in any sliding Window.</summary>
public sealed record ChangeBudget(int Count, TimeSpan Window);

/// <summary>A time during which no traffic change is allowed. All times are UTC.</summary>
public abstract record FreezeWindow(string Name)
{
    public abstract bool Covers(DateTimeOffset instant);
    public abstract string Describe();
}

/// <summary>
/// A window recurring on given days: From inclusive, To exclusive, both UTC times of day (To may be 24:00).
/// When To is not after From the window runs overnight into the next day; Days names the day it starts on.
/// </summary>
public sealed record DailyFreezeWindow(string Name, IReadOnlyList<DayOfWeek> Days, TimeSpan From, TimeSpan To) : FreezeWindow(Name)
{
    public override bool Covers(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        var time = utc.TimeOfDay;
        if (From < To) return Days.Contains(utc.DayOfWeek) && time >= From && time < To;
        // Overnight: the evening part belongs to today, the morning part to the window that started yesterday.
        return (Days.Contains(utc.DayOfWeek) && time >= From)
            || (Days.Contains(utc.AddDays(-1).DayOfWeek) && time < To);
    }

    public override string Describe()
    {
        var days = Days.Count == 7 ? "daily" : string.Join(",", Days.Select(d => d.ToString()[..3]));
        return $"{days} {Clock(From)}-{Clock(To)} UTC";
    }

    private static string Clock(TimeSpan t) =>
        $"{(int)t.TotalHours:00}:{t.Minutes.ToString("00", CultureInfo.InvariantCulture)}";
}

/// <summary>A one-off window, e.g. a release freeze: From inclusive, To exclusive.</summary>
public sealed record FixedFreezeWindow(string Name, DateTimeOffset From, DateTimeOffset To) : FreezeWindow(Name)
{
    public override bool Covers(DateTimeOffset instant) => instant >= From && instant < To;

    public override string Describe() =>
        $"{From.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} to {To.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}";
}
