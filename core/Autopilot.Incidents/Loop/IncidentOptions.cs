using System.ComponentModel.DataAnnotations;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Routing;

namespace Autopilot.Incidents.Loop;

/// <summary>Configuration section "Autopilot:Incidents": timings of the loop and where to find SOPs.</summary>
public sealed class IncidentOptions : IValidatableObject
{
    public const string Section = "Autopilot:Incidents";

    /// <summary>Delay between applying a change and checking that it helped.</summary>
    public TimeSpan VerifyDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long health must hold after the alerts resolved before traffic is restored.</summary>
    public TimeSpan ResolveHoldDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Health checks that find the change helping while alerts still fire, before escalating.</summary>
    [Range(1, 100)]
    public int MaxVerifications { get; set; } = 5;

    public TimeSpan ApprovalPollInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Delay between triage measurements that do not confirm the alerts (the named backend within bounds, or no data).</summary>
    public TimeSpan UnconfirmedRecheckDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Measurements that must fail to confirm still-firing alerts before the incident escalates.</summary>
    [Range(1, 100)]
    public int MaxUnconfirmedChecks { get; set; } = 4;

    /// <summary>An incident handed to humans triages again for a new alert name no sooner than this after it opened.</summary>
    public TimeSpan RetriageCooldown { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an incident handed to humans absorbs its workload's alerts when nobody closes it.</summary>
    public TimeSpan HoldLimit { get; set; } = TimeSpan.FromHours(4);

    [Range(2, 100)]
    public int FlapThreshold { get; set; } = 4;

    public TimeSpan FlapWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>When a step has not finished after this long (crash, unreachable guardrail) it is re-driven.</summary>
    public TimeSpan StepRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Directory of SOP / post-mortem Markdown files.</summary>
    [Required]
    public string SopDirectory { get; set; } = "sops";

    /// <summary>SQLite file of the SOP retrieval index (rebuilt when SOP files change).</summary>
    [Required]
    public string SopIndexPath { get; set; } = "data/sop-index.db";

    [Range(1, 10)]
    public int SopTop { get; set; } = 3;

    /// <summary>Token budget of the fact sheet the model sees.</summary>
    [Range(64, 8192)]
    public int FactSheetTokenBudget { get; set; } = 384;

    /// <summary>The route in front of each workload, "namespace/workload" → "namespace/route". A workload not
    /// listed is served by the route of the same namespace and name.</summary>
    public Dictionary<string, string> Routes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Alert labels that name the workload (see WorkloadLabelMapping).</summary>
    public string NamespaceLabel { get; set; } = "namespace";

    /// <summary>Unset = deployment, app, service, workload (no initial list: the binder would append to it).</summary>
    public List<string>? WorkloadLabels { get; set; }

    public IReadOnlyList<string> WorkloadLabelsOrDefault => WorkloadLabels is { Count: > 0 } configured ? configured : WorkloadLabelMapping.Default.WorkloadLabels;

    public IncidentMachineOptions ToMachineOptions() => new()
    {
        VerifyDelay = VerifyDelay,
        ResolveHoldDelay = ResolveHoldDelay,
        MaxVerifications = MaxVerifications,
        ApprovalPollInterval = ApprovalPollInterval,
        FlapThreshold = FlapThreshold,
        FlapWindow = FlapWindow,
        UnconfirmedRecheckDelay = UnconfirmedRecheckDelay,
        MaxUnconfirmedChecks = MaxUnconfirmedChecks,
        RetriageCooldown = RetriageCooldown,
        HoldLimit = HoldLimit,
    };

    public RouteRef RouteFor(WorkloadKey workload) =>
        Routes.TryGetValue(workload.ToString(), out var route) ? RouteRef.Parse(route) : new RouteRef(workload.Namespace, workload.Name);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, value) in new[]
                 {
                     (nameof(VerifyDelay), VerifyDelay), (nameof(ResolveHoldDelay), ResolveHoldDelay),
                     (nameof(ApprovalPollInterval), ApprovalPollInterval), (nameof(FlapWindow), FlapWindow),
                     (nameof(StepRetryDelay), StepRetryDelay), (nameof(UnconfirmedRecheckDelay), UnconfirmedRecheckDelay),
                     (nameof(RetriageCooldown), RetriageCooldown), (nameof(HoldLimit), HoldLimit),
                 })
        {
            if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
                yield return new ValidationResult(
                    $"{Section}:{name} is {value}; use a duration between 00:00:00.001 and 1.00:00:00 (e.g. 00:00:30).", [name]);
        }
        foreach (var (workload, route) in Routes)
        {
            if (!WorkloadKey.TryParse(workload, out _))
                yield return new ValidationResult($"{Section}:Routes has key '{workload}', which is not namespace/workload.", [nameof(Routes)]);
            var parts = route.Split('/');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                yield return new ValidationResult($"{Section}:Routes:{workload} is '{route}'; use namespace/route-name.", [nameof(Routes)]);
        }
        if (WorkloadLabelsOrDefault.Any(string.IsNullOrWhiteSpace))
            yield return new ValidationResult($"{Section}:WorkloadLabels must list at least one non-empty label name (default: deployment, app, service, workload).", [nameof(WorkloadLabels)]);
    }
}
