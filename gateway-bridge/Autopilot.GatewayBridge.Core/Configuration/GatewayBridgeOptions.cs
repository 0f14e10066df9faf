using System.Text.Json.Nodes;
using Autopilot.Remediation.Routing;
using Microsoft.Extensions.Options;

namespace Autopilot.GatewayBridge.Core.Configuration;

/// <summary>Configuration section "GatewayBridge".</summary>
public sealed class GatewayBridgeOptions
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

/// <summary>Start-up validation: every problem names its key, what is wrong and what would be valid.</summary>
public sealed class GatewayBridgeOptionsValidator : IValidateOptions<GatewayBridgeOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayBridgeOptions options)
    {
        var errors = new List<string>();
        const string s = GatewayBridgeOptions.Section;
        try { ApprovalToken.KeyFromSecret(options.ApprovalSigningKey); }
        catch (ArgumentException e)
        {
            errors.Add($"{s}:ApprovalSigningKey is invalid: {e.Message.Split(" (Parameter")[0]} " +
                       "Set it from the Dapr secret store 'autopilot-secrets' key 'approval-signing-key' or the GatewayBridge__ApprovalSigningKey environment variable.");
        }
        if (options.MaxConflictRetries is < 0 or > 20)
            errors.Add($"{s}:MaxConflictRetries is {options.MaxConflictRetries}; use 0..20.");
        if (options.JournalEntriesPerRoute is < 1 or > 200)
            errors.Add($"{s}:JournalEntriesPerRoute is {options.JournalEntriesPerRoute}; use 1..200 (the journal lives in a route annotation, which is size-limited).");
        if (string.IsNullOrWhiteSpace(options.WorkloadLabel))
            errors.Add($"{s}:WorkloadLabel is empty; use a label key such as 'autopilot.io/workload'.");

        foreach (var ns in options.Namespaces)
            if (string.IsNullOrEmpty(ns) || ns.Length > 63 || !ns.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
                errors.Add($"{s}:Namespaces contains '{ns}', which is not a Kubernetes namespace name (lower-case letters, digits and '-', at most 63).");

        var k = options.Kubernetes;
        if (k.Mode == KubernetesConnectionMode.Explicit)
        {
            if (!Uri.TryCreate(k.Url, UriKind.Absolute, out var url) || (url.Scheme != "http" && url.Scheme != "https"))
                errors.Add($"{s}:Kubernetes:Url is '{k.Url}'; Mode Explicit needs an absolute http(s) URL of the API server, e.g. https://127.0.0.1:6443.");
        }
        if (k.Mode == KubernetesConnectionMode.Kubeconfig && k.KubeconfigPath is { } path && !File.Exists(path))
            errors.Add($"{s}:Kubernetes:KubeconfigPath '{path}' does not exist; point it at a kubeconfig file or leave it unset for ~/.kube/config.");

        var p = options.RateLimitPolicy;
        foreach (var (key, value) in new[] { ("Group", p.Group), ("Version", p.Version), ("Kind", p.Kind), ("Plural", p.Plural) })
            if (string.IsNullOrWhiteSpace(value))
                errors.Add($"{s}:RateLimitPolicy:{key} is empty; e.g. Group 'gateway.kgateway.dev', Version 'v1alpha1', Kind 'TrafficPolicy', Plural 'trafficpolicies'.");
        try
        {
            if (JsonNode.Parse(RateLimitPolicyTemplate.Render(p.SpecTemplate, "route", 1, 1)) is not JsonObject)
                errors.Add($"{s}:RateLimitPolicy:SpecTemplate must be a JSON object (the resource's spec).");
        }
        catch (System.Text.Json.JsonException e)
        {
            errors.Add($"{s}:RateLimitPolicy:SpecTemplate is not valid JSON after substitution: {e.Message}");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
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
