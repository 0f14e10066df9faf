using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Autopilot.Remediation.Alerts;

/// <summary>Which alert labels name the workload. Candidates are tried in order; the first present,
/// non-empty label wins. Bind from configuration (e.g. "Autopilot:Alerts:LabelMapping") and call
/// <see cref="Validate"/> at start-up.</summary>
public sealed record WorkloadLabelMapping
{
    public static WorkloadLabelMapping Default { get; } = new();

    /// <summary>Labels that may carry the Kubernetes namespace, in order of preference.</summary>
    public IReadOnlyList<string> NamespaceLabels { get; init; } = ["namespace"];

    /// <summary>Labels that may carry the workload name, in order of preference.</summary>
    public IReadOnlyList<string> WorkloadLabels { get; init; } = ["deployment", "app", "service", "workload"];

    /// <summary>Used when no namespace label is present (single-namespace installs); null = unresolvable.</summary>
    public string? DefaultNamespace { get; init; }

    /// <summary>Every problem with this mapping, each naming the key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void CheckLabels(string key, IReadOnlyList<string>? labels)
        {
            if (labels is null || labels.Count == 0)
            {
                problems.Add($"{key}: at least one label name is required (e.g. [\"namespace\"])");
                return;
            }
            for (var i = 0; i < labels.Count; i++)
                if (!AlertPayloadParser.IsValidLabelName(labels[i] ?? "", 128))
                    problems.Add($"{key}[{i}]: '{labels[i]}' is not a Prometheus label name (letters, digits, '_', not starting with a digit)");
        }
        CheckLabels(nameof(NamespaceLabels), NamespaceLabels);
        CheckLabels(nameof(WorkloadLabels), WorkloadLabels);
        if (DefaultNamespace is not null && !WorkloadKeyResolver.IsDnsLabel(DefaultNamespace))
            problems.Add($"{nameof(DefaultNamespace)}: '{DefaultNamespace}' is not a Kubernetes namespace name (lower-case letters, digits and '-', at most 63)");
        return problems;
    }
}

/// <summary>An alert that could not be attributed to a workload, and why. Reported, never dropped silently.</summary>
public sealed record UnresolvedAlert(Alert Alert, string Reason);

/// <summary>Alerts grouped by workload, plus the ones no workload could be derived for.</summary>
public sealed record WorkloadGrouping(
    IReadOnlyDictionary<WorkloadKey, IReadOnlyList<Alert>> ByWorkload,
    IReadOnlyList<UnresolvedAlert> Unresolved);

/// <summary>Derives the workload key ("namespace/workload") an alert is about from its labels.</summary>
public sealed partial class WorkloadKeyResolver
{
    private readonly WorkloadLabelMapping _mapping;

    public WorkloadKeyResolver(WorkloadLabelMapping mapping)
    {
        var problems = mapping.Validate();
        if (problems.Count > 0)
            throw new ArgumentException("Invalid workload label mapping: " + string.Join("; ", problems), nameof(mapping));
        _mapping = mapping;
    }

    public WorkloadKeyResolver() : this(WorkloadLabelMapping.Default)
    {
    }

    public bool TryResolve(Alert alert, out WorkloadKey key) => TryResolve(alert, out key, out _);

    public bool TryResolve(Alert alert, out WorkloadKey key, [NotNullWhen(false)] out string? reason) =>
        TryResolve(alert, out key, out reason, out _);

    /// <summary>As <see cref="TryResolve(Alert, out WorkloadKey, out string?)"/>, and when it fails, the label at fault
    /// (<paramref name="label"/>: the label whose value is not a Kubernetes name, or the first candidate when none is
    /// present) so a response can name the field.</summary>
    public bool TryResolve(Alert alert, out WorkloadKey key, [NotNullWhen(false)] out string? reason, [NotNullWhen(false)] out string? label)
    {
        key = default;
        var (ns, nsLabel) = FirstPresent(alert, _mapping.NamespaceLabels);
        if (ns is null)
        {
            if (_mapping.DefaultNamespace is null)
            {
                reason = $"no namespace label (looked for {string.Join(", ", _mapping.NamespaceLabels)})";
                label = _mapping.NamespaceLabels[0];
                return false;
            }
            (ns, nsLabel) = (_mapping.DefaultNamespace, "default namespace");
        }
        if (!IsDnsLabel(ns))
        {
            reason = $"{nsLabel} '{AlertPayloadParser.Printable(ns)}' is not a Kubernetes namespace name ({DnsLabelRule})";
            label = nsLabel;
            return false;
        }

        var (workload, workloadLabel) = FirstPresent(alert, _mapping.WorkloadLabels);
        if (workload is null)
        {
            reason = $"no workload label (looked for {string.Join(", ", _mapping.WorkloadLabels)})";
            label = _mapping.WorkloadLabels[0];
            return false;
        }
        if (!IsDnsSubdomain(workload))
        {
            reason = $"label {workloadLabel} '{AlertPayloadParser.Printable(workload)}' is not a Kubernetes object name ({DnsSubdomainRule})";
            label = workloadLabel;
            return false;
        }

        key = new WorkloadKey(ns, workload);
        reason = null;
        label = null;
        return true;
    }

    /// <summary>DNS-1123 label, as Kubernetes names namespaces.</summary>
    public const string DnsLabelRule = "DNS-1123 label: lower-case ASCII letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";

    /// <summary>DNS-1123 subdomain, as Kubernetes names deployments and services.</summary>
    public const string DnsSubdomainRule = "DNS-1123 subdomain: lower-case ASCII letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit, at most 253 characters";

    /// <summary>Groups a batch by workload; every alert ends up either in a group or in Unresolved.</summary>
    public WorkloadGrouping Group(IEnumerable<Alert> alerts)
    {
        var groups = new SortedDictionary<string, (WorkloadKey Key, List<Alert> Alerts)>(StringComparer.Ordinal);
        var unresolved = new List<UnresolvedAlert>();
        foreach (var alert in alerts)
        {
            if (TryResolve(alert, out var key, out var reason))
            {
                var id = key.ToString();
                if (!groups.TryGetValue(id, out var group)) groups[id] = group = (key, []);
                group.Alerts.Add(alert);
            }
            else
            {
                unresolved.Add(new UnresolvedAlert(alert, reason));
            }
        }
        SignalsTelemetry.Unresolved(unresolved.Count);
        return new WorkloadGrouping(
            groups.Values.ToDictionary(g => g.Key, g => (IReadOnlyList<Alert>)g.Alerts),
            unresolved);
    }

    private static (string? Value, string Label) FirstPresent(Alert alert, IReadOnlyList<string> labels)
    {
        foreach (var label in labels)
            if (alert.Label(label) is { Length: > 0 } value)
                return (value, label);
        return (null, "");
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex DnsSubdomain();

    internal static bool IsDnsLabel(string value) => value.Length <= 63 && DnsLabel().IsMatch(value);

    internal static bool IsDnsSubdomain(string value) => value.Length <= 253 && DnsSubdomain().IsMatch(value);
}
