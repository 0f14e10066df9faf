using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Autopilot.Remediation.Routing;

namespace Autopilot.GatewayBridge.Core.Configuration;

/// <summary>Configuration section "GatewayBridge", validated at start-up (DataAnnotations, as every app's options are):
/// every problem names its key, what is wrong and what would be valid.</summary>
public sealed class GatewayBridgeOptions : IValidatableObject
{
    public const string Section = "GatewayBridge";

    public KubernetesConnectionOptions Kubernetes { get; set; } = new();

    /// <summary>Shared HMAC secret the guardrail signs approvals with ("base64:..." or UTF-8 text, at least 32 bytes).
    /// In Kubernetes this normally comes from the Dapr secret store <c>autopilot-secrets</c>, key <c>approval-signing-key</c>.</summary>
    public string? ApprovalSigningKey { get; set; }

    /// <summary>How often a change is re-read, re-validated and retried after a 409 Conflict before giving up.</summary>
    public int MaxConflictRetries { get; set; } = 3;

    /// <summary>How many journal entries each route keeps in its annotation (oldest dropped first; only these can be undone).</summary>
    public int JournalEntriesPerRoute { get; set; } = 20;

    /// <summary>Label on an HTTPRoute naming the workload it fronts; a route named like the workload matches too.</summary>
    public string WorkloadLabel { get; set; } = "autopilot.io/workload";

    public RateLimitPolicyOptions RateLimitPolicy { get; set; } = new();

    /// <summary>
    /// Namespaces whose routes the bridge manages, for the calls that do not name a route (list all changes, undo by
    /// change id alone, readiness). Empty means all namespaces, which needs a ClusterRoleBinding to list httproutes;
    /// with per-namespace RoleBindings list those namespaces here.
    /// </summary>
    public List<string> Namespaces { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        const string s = Section;
        string? keyProblem = null;
        try { ApprovalToken.KeyFromSecret(ApprovalSigningKey); }
        catch (ArgumentException e) { keyProblem = e.Message.Split(" (Parameter")[0]; }
        if (keyProblem is not null)
            yield return new ValidationResult($"{s}:ApprovalSigningKey is invalid: {keyProblem} " +
                "Set it from the Dapr secret store 'autopilot-secrets' key 'approval-signing-key' or the GatewayBridge__ApprovalSigningKey environment variable.");
        if (MaxConflictRetries is < 0 or > 20)
            yield return new ValidationResult($"{s}:MaxConflictRetries is {MaxConflictRetries}; use 0..20.");
        if (JournalEntriesPerRoute is < 1 or > 200)
            yield return new ValidationResult($"{s}:JournalEntriesPerRoute is {JournalEntriesPerRoute}; use 1..200 (the journal lives in a route annotation, which is size-limited).");
        if (string.IsNullOrWhiteSpace(WorkloadLabel))
            yield return new ValidationResult($"{s}:WorkloadLabel is empty; use a label key such as 'autopilot.io/workload'.");

        foreach (var ns in Namespaces)
            if (string.IsNullOrEmpty(ns) || ns.Length > 63 || !ns.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
                yield return new ValidationResult($"{s}:Namespaces contains '{ns}', which is not a Kubernetes namespace name (lower-case letters, digits and '-', at most 63).");

        var k = Kubernetes;
        if (k.Mode == KubernetesConnectionMode.Explicit)
        {
            if (!Uri.TryCreate(k.Url, UriKind.Absolute, out var url) || (url.Scheme != "http" && url.Scheme != "https"))
                yield return new ValidationResult($"{s}:Kubernetes:Url is '{k.Url}'; Mode Explicit needs an absolute http(s) URL of the API server, e.g. https://127.0.0.1:6443.");
        }
        if (k.Mode == KubernetesConnectionMode.Kubeconfig && k.KubeconfigPath is { } path && !File.Exists(path))
            yield return new ValidationResult($"{s}:Kubernetes:KubeconfigPath '{path}' does not exist; point it at a kubeconfig file or leave it unset for ~/.kube/config.");

        var p = RateLimitPolicy;
        foreach (var (key, value) in new[] { ("Group", p.Group), ("Version", p.Version), ("Kind", p.Kind), ("Plural", p.Plural) })
            if (string.IsNullOrWhiteSpace(value))
                yield return new ValidationResult($"{s}:RateLimitPolicy:{key} is empty; e.g. Group 'gateway.kgateway.dev', Version 'v1alpha1', Kind 'TrafficPolicy', Plural 'trafficpolicies'.");
        string? templateProblem;
        try
        {
            templateProblem = JsonNode.Parse(RateLimitPolicyTemplate.Render(p.SpecTemplate, "route", 1, 1)) is JsonObject
                ? null : $"{s}:RateLimitPolicy:SpecTemplate must be a JSON object (the resource's spec).";
        }
        catch (System.Text.Json.JsonException e)
        {
            templateProblem = $"{s}:RateLimitPolicy:SpecTemplate is not valid JSON after substitution: {e.Message}";
        }
        if (templateProblem is not null) yield return new ValidationResult(templateProblem);
    }

    /// <summary>What start-up validation would say, for callers without dependency injection (empty: valid).</summary>
    public IReadOnlyList<string> Problems()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage ?? "")];
    }
}

public enum KubernetesConnectionMode
{
    /// <summary>In-cluster service account when running in a pod, else the default kubeconfig.</summary>
    Auto,
    InCluster,
    Kubeconfig,
    /// <summary>Url + Token (development and tests).</summary>
    Explicit,
}

public sealed class KubernetesConnectionOptions
{
    public KubernetesConnectionMode Mode { get; set; } = KubernetesConnectionMode.Auto;
    public string? Url { get; set; }
    public string? Token { get; set; }
    public string? KubeconfigPath { get; set; }
    public string? Context { get; set; }
    public bool SkipTlsVerify { get; set; }
}

/// <summary>
/// The namespaced custom resource a SetRateLimit change applies (server-side apply, field manager "autopilot").
/// Defaults to kgateway's TrafficPolicy with a local token bucket. SpecTemplate is the resource's spec as JSON in
/// which the strings "{{route}}", "{{requestsPerSecond}}" and "{{burst}}" are replaced (the numbers as JSON numbers).
/// </summary>
public sealed class RateLimitPolicyOptions
{
    public string Group { get; set; } = "gateway.kgateway.dev";
    public string Version { get; set; } = "v1alpha1";
    public string Kind { get; set; } = "TrafficPolicy";
    public string Plural { get; set; } = "trafficpolicies";
    public string NamePrefix { get; set; } = "autopilot-ratelimit-";

    public string SpecTemplate { get; set; } = """
        {
          "targetRefs": [ { "group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": "{{route}}" } ],
          "rateLimit": { "local": { "tokenBucket": { "maxTokens": "{{burst}}", "tokensPerFill": "{{requestsPerSecond}}", "fillInterval": "1s" } } }
        }
        """;
}

public static class RateLimitPolicyTemplate
{
    /// <summary>Fills the template; numbers replace their quoted placeholders so they stay JSON numbers.</summary>
    public static string Render(string template, string routeName, int requestsPerSecond, int burst) =>
        template
            .Replace("\"{{requestsPerSecond}}\"", requestsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Replace("\"{{burst}}\"", burst.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Replace("{{route}}", routeName);
}
