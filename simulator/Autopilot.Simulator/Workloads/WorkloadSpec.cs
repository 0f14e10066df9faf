using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Routing;

namespace Autopilot.Simulator.Workloads;

/// <summary>One version (backend Service) of a simulated workload and its healthy behaviour.</summary>
public sealed record VersionSpec(
    string Name,
    int InitialWeight,
    double BaseErrorRatio = 0.001,
    double MedianLatencyMs = 40);

/// <summary>
/// A simulated workload: its versions behind one weighted HTTPRoute (same namespace and name as the workload),
/// the traffic it receives and what it depends on.
/// </summary>
public sealed record WorkloadSpec(
    WorkloadKey Key,
    IReadOnlyList<VersionSpec> Versions,
    string StableVersion,
    double RequestsPerSecond = 50,
    IReadOnlyList<string>? Dependencies = null,
    TimeSpan? CertificateLifetime = null)
{
    public RouteRef Route => new(Key.Namespace, Key.Name);

    public IReadOnlyList<string> DependencyNames => Dependencies ?? [];

    /// <summary>Serving certificates are valid for 90 days unless a scenario says otherwise.</summary>
    public TimeSpan CertificateValidity => CertificateLifetime ?? TimeSpan.FromDays(90);

    public IReadOnlyList<BackendWeight> InitialWeights => [.. Versions.Select(v => new BackendWeight(v.Name, v.InitialWeight))];

    /// <summary>Rules of the route besides the one splitting traffic between the versions (e.g. /static to another
    /// service), ahead of it, as real routes often have; a mitigation must leave them as they are.</summary>
    public IReadOnlyList<KubeApi.RouteRuleSpec> OtherRules { get; init; } = [];

    /// <summary>Every rule of the route as it starts: the other rules, then the versions' rule at "/".</summary>
    public IReadOnlyList<KubeApi.RouteRuleSpec> InitialRules => [.. OtherRules, new KubeApi.RouteRuleSpec("/", InitialWeights)];

    /// <summary>The sample workload every doc and test talks about: shop/checkout, v1 stable at 90%, v2 canary at 10%.</summary>
    public static WorkloadSpec Checkout(double requestsPerSecond = 50) => new(
        new WorkloadKey("shop", "checkout"),
        [new VersionSpec("checkout-v1", 90), new VersionSpec("checkout-v2", 10)],
        StableVersion: "checkout-v1",
        RequestsPerSecond: requestsPerSecond,
        Dependencies: ["payments-db"]);

    /// <summary>Checks what a scenario file or a caller got wrong, naming the field.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Versions.Count == 0) problems.Add("versions: at least one version is required");
        if (Versions.Select(v => v.Name).Distinct(StringComparer.Ordinal).Count() != Versions.Count)
            problems.Add("versions: version names must be unique");
        if (Versions.Count > 0 && Versions.Sum(v => v.InitialWeight) != 100)
            problems.Add($"versions[].weight: weights must sum to 100 (they sum to {Versions.Sum(v => v.InitialWeight)})");
        if (Versions.Any(v => v.InitialWeight is < 0 or > 100)) problems.Add("versions[].weight: each weight must be 0..100");
        if (Versions.Any(v => v.BaseErrorRatio is < 0 or > 1)) problems.Add("versions[].error_ratio: must be 0..1");
        if (Versions.Any(v => v.MedianLatencyMs <= 0)) problems.Add("versions[].latency_ms: must be positive");
        if (Versions.All(v => v.Name != StableVersion))
            problems.Add($"stable: '{StableVersion}' is not one of the versions ({string.Join(", ", Versions.Select(v => v.Name))})");
        if (RequestsPerSecond <= 0) problems.Add("requests_per_second: must be positive");
        foreach (var (rule, i) in OtherRules.Select((r, i) => (r, i)))
        {
            if (!rule.PathPrefix.StartsWith('/') || rule.PathPrefix == "/") problems.Add($"other_rules[{i}].path: '{rule.PathPrefix}' must be a path prefix other than / (the versions' rule has /)");
            if (rule.Backends.Count == 0 || rule.Backends.Sum(b => b.Weight) != 100) problems.Add($"other_rules[{i}].backends: weights must sum to 100");
        }
        return problems;
    }
}
