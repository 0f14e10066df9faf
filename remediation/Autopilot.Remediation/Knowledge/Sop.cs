namespace Autopilot.Remediation.Knowledge;

public enum KnowledgeKind
{
    Sop,
    PostMortem,
}

/// <summary>Which alerts an SOP is for: any of the alert names, and every label given (value or regex).</summary>
public sealed record SopMatchRule(IReadOnlyList<string> AlertNames, IReadOnlyDictionary<string, string> Labels)
{
    /// <summary>Whether the rule covers this alert: its name is listed (or no names are) and every label condition holds.</summary>
    public bool Matches(Alerts.Alert alert) =>
        (AlertNames.Count > 0 || Labels.Count > 0)
        && (AlertNames.Count == 0 || AlertNames.Contains(alert.Name, StringComparer.Ordinal))
        && Labels.All(l => SopDocument.LabelMatches(l.Value, alert.Label(l.Key)));
}

/// <summary>An action the SOP lets the model propose, with bounds on its parameters
/// (e.g. max_step_percent, min_stable_weight, max_requests_per_second). Null bound = no SOP-level bound.</summary>
public sealed record AllowedAction(
    string Action,
    int? MaxStepPercent = null,
    int? MinStableWeight = null,
    int? MinRequestsPerSecond = null,
    int? MaxRequestsPerSecond = null);

/// <summary>What measurement must confirm an SOP's alerts before anything is planned ("confirm_with" in the front
/// matter). Unset: the backend an alert names (label "version"), else any backend out of bounds.</summary>
public enum Confirmation
{
    /// <summary>The backend the alert names (label "version") is out of bounds.</summary>
    NamedBackend,

    /// <summary>Some backend of the workload is out of bounds.</summary>
    AnyBackend,

    /// <summary>The workload's metrics do not measure this condition (a certificate, a traffic surge, flapping): the
    /// alert is taken as it is.</summary>
    Nothing,
}

/// <summary>What counts as healthy for one backend under this SOP ("health_bounds" in the front matter); a bound
/// left out is the configured one (Autopilot:Health).</summary>
public sealed record SopHealthBounds(double? MaxErrorRatio, double? MaxP99LatencyMs, int? MaxRestarts)
{
    public Compaction.HealthBounds Over(Compaction.HealthBounds configured) => new(
        MaxErrorRatio ?? configured.MaxErrorRatio, MaxP99LatencyMs ?? configured.MaxP99LatencyMs, MaxRestarts ?? configured.MaxRestarts);
}

/// <summary>An SOP or post-mortem: Markdown with YAML front matter.</summary>
public sealed record Sop(
    string Id,
    string Title,
    KnowledgeKind Kind,
    SopMatchRule Matches,
    IReadOnlyList<AllowedAction> AllowedActions,
    string DefaultAction,
    bool DefaultActionSafe,
    string Severity,
    string Body,
    string SourcePath)
{
    /// <summary>Extra search keywords from the front matter ("tags"); they feed the text index only.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Labels ("reason_about") of the alerts this SOP matches whose values a proposal's reason must start
    /// with, when those alerts carry one: a dependency outage is about the dependency, not the backends it breaks.</summary>
    public IReadOnlyList<string> ReasonAbout { get; init; } = [];

    /// <summary>Health thresholds of this SOP's workloads ("health_bounds"); null = the configured ones.</summary>
    public SopHealthBounds? HealthBounds { get; init; }

    /// <summary>What confirms this SOP's alerts ("confirm_with"); null when the front matter does not say.</summary>
    public Confirmation? ConfirmWith { get; init; }

    /// <summary>Alert annotations ("include_annotations", e.g. [summary]) the fact sheet shows for this SOP's incidents,
    /// the first one an alert carries; none by default, since annotations are free text anyone templating alerts can fill.</summary>
    public IReadOnlyList<string> IncludeAnnotations { get; init; } = [];

    /// <summary>The bounds for one action, or null when the SOP does not allow it.</summary>
    public AllowedAction? Allowed(string action) => AllowedActions.FirstOrDefault(a => a.Action == action);
}

/// <summary>A retrieval hit: the score and every reason it matched (label rule, BM25 terms).</summary>
public sealed record SopMatch(Sop Sop, double Score, IReadOnlyList<string> Reasons)
{
    /// <summary>True when the document's front-matter rule (alert name and label conditions) matched a
    /// firing alert; false for a hit found by text similarity alone.</summary>
    public bool MatchedByRule { get; init; }

    /// <summary>The match whose allowed actions and default action may govern the incident: the best SOP
    /// (not post-mortem) whose rule matched. Null when no SOP was written for these alerts: escalate.</summary>
    public static SopMatch? Authoritative(IEnumerable<SopMatch> matches) =>
        matches.FirstOrDefault(m => m.MatchedByRule && m.Sop.Kind == KnowledgeKind.Sop);
}
