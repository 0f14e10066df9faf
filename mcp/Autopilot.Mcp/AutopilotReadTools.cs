using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Autopilot.Incidents.Loop;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Routing;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Autopilot.Mcp;

/// <summary>
/// What an outside agent (kagent, an IDE agent) may read. Every tool is read-only: changing traffic stays
/// behind the guardrail: the tools are given <see cref="IGuardrailReader"/>, which has no way to submit, undo or
/// approve (an architecture test keeps it so).
/// </summary>
/// <remarks>
/// Ranges and formats are attributes, so they appear in the input schema (minimum/maximum/pattern) and
/// <see cref="ToolArguments"/> checks every call against that schema before a tool runs. Optional parameters are
/// plain types with defaults, never nullable: some model providers reject ["string","null"] in a tool schema.
/// </remarks>
[McpServerToolType]
public sealed class AutopilotReadTools(
    IWorkloadHealthSource health,
    IGuardrailReader guardrail,
    IIncidentJournal journal,
    ISopRetriever sops,
    IOptions<IncidentOptions> incidentOptions)
{
    public const int MaxIncidents = 200;
    public const int MaxSops = 10;

    /// <summary>namespace/name with Kubernetes object names on both sides.</summary>
    public const string NamespacedName = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-.a-z0-9]*[a-z0-9])?$";

    /// <summary>The same, or empty for "any".</summary>
    public const string OptionalNamespacedName = "^$|" + NamespacedName;

    [McpServerTool(Name = "workload_health", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false, UseStructuredContent = true)]
    [Description("Current health of a workload per version (backend): error ratio, p99 latency (ms), requests/s, restarts. A metric with no data is NaN.")]
    public async Task<WorkloadHealth> WorkloadHealthAsync(
        [Description("The workload as namespace/workload, e.g. shop/checkout.")][RegularExpression(NamespacedName)] string workload,
        CancellationToken cancellationToken)
    {
        var key = ParseWorkload(workload);
        var route = await ReadAsync("the guardrail (route of the workload)",
            () => guardrail.ReadRouteAsync(incidentOptions.Value.RouteFor(key), cancellationToken));
        var snapshots = await ReadAsync("the metrics source", () => health.ReadAsync(key, route, cancellationToken));
        return new WorkloadHealth(key.ToString(), route.Route.ToString(), [.. snapshots.Select(VersionHealth.From)]);
    }

    [McpServerTool(Name = "route_state", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false, UseStructuredContent = true)]
    [Description("The HTTPRoute in front of a workload: backends and weights (percent) per rule, resourceVersion, stable backend.")]
    public async Task<RouteState> RouteStateAsync(
        [Description("The route as namespace/name, e.g. shop/checkout.")][RegularExpression(NamespacedName)] string route,
        CancellationToken cancellationToken)
    {
        RouteRef routeRef;
        try
        {
            routeRef = RouteRef.Parse(route);
        }
        catch (FormatException e)
        {
            throw new McpException($"route: {e.Message}");
        }
        return await ReadAsync("the guardrail", () => guardrail.ReadRouteAsync(routeRef, cancellationToken));
    }

    [McpServerTool(Name = "incident_history", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false, UseStructuredContent = true)]
    [Description("Incidents, newest first: phase, outcome, alert names, proposed action and the guardrail's decision.")]
    public async Task<IReadOnlyList<IncidentSummary>> IncidentHistoryAsync(
        [Description("Only this workload (namespace/workload); empty for all.")][RegularExpression(OptionalNamespacedName)] string workload = "",
        [Description("Only incidents that are still open.")] bool openOnly = false,
        [Description("At most this many.")][Range(1, MaxIncidents)] int limit = 50,
        CancellationToken cancellationToken = default)
    {
        if (workload.Length > 0) ParseWorkload(workload);
        var query = new IncidentQuery(workload.Length > 0 ? workload : null, openOnly, limit);
        return await ReadAsync("the incident journal", () => journal.ListAsync(query, cancellationToken));
    }

    [McpServerTool(Name = "incident_detail", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false, UseStructuredContent = true)]
    [Description("The full audit trail of one incident: alerts, fact sheet, SOPs, model output, proposal, verdict, change, verification, timings.")]
    public async Task<IncidentRecord> IncidentDetailAsync(
        [Description("The incident id as incident_history lists it.")][MinLength(1)] string incidentId,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(incidentId)) throw new McpException("incidentId: required; give an id from incident_history.");
        return await ReadAsync("the incident journal", () => journal.GetAsync(incidentId, cancellationToken))
            ?? throw new McpException($"incidentId: no incident '{incidentId}'; incident_history lists the ids.");
    }

    [McpServerTool(Name = "sop_search", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false, UseStructuredContent = true)]
    [Description("Search the local SOP / post-mortem library by alert name and/or free text (give at least one); returns scores and why each matched.")]
    public IReadOnlyList<SopSearchHit> SopSearch(
        [Description("Free text, e.g. 'canary 5xx after deploy'.")] string text = "",
        [Description("An alert name to match SOP rules against, e.g. CanaryHighErrorRate.")] string alertName = "",
        [Description("At most this many.")][Range(1, MaxSops)] int top = 3)
    {
        if (string.IsNullOrWhiteSpace(text) && string.IsNullOrWhiteSpace(alertName))
            throw new McpException("text: give search text or an alertName (or both).");
        IReadOnlyList<Alert> alerts = string.IsNullOrWhiteSpace(alertName)
            ? []
            : [new Alert("mcp-query", AlertStatus.Firing, new Dictionary<string, string> { ["alertname"] = alertName },
                new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, null, null)];
        return [.. sops.Retrieve(new SopQuery(alerts, text), top)
            .Select(m => new SopSearchHit(m.Sop.Id, m.Sop.Title, m.Sop.Kind.ToString(), m.Score, m.Reasons,
                [.. m.Sop.AllowedActions.Select(a => a.Action)], m.Sop.DefaultAction, m.Sop.DefaultActionSafe))];
    }

    private static WorkloadKey ParseWorkload(string workload) =>
        WorkloadKey.TryParse(workload, out var key)
            ? key.Value
            : throw new McpException($"workload: '{workload}' is not of the form namespace/workload, e.g. shop/checkout.");

    /// <summary>A backend that does not answer is the tool's error, named, so the agent can tell it from a bad
    /// argument (the SDK would only say "An error occurred invoking").</summary>
    private static async Task<T> ReadAsync<T>(string backend, Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (Exception e) when (e is not (OperationCanceledException or McpException))
        {
            throw new McpException($"{backend} could not answer ({e.GetType().Name}: {e.Message}); the arguments were valid, try again later.", e);
        }
    }
}

public sealed record WorkloadHealth(string Workload, string Route, IReadOnlyList<VersionHealth> Versions);

/// <summary>One version's current metrics. "No data" is written "NaN", as incident_detail and GET /incidents/{id}
/// write the journal's metrics (the output schema says so: a number or "NaN").</summary>
public sealed record VersionHealth(string Version, double ErrorRatio, double P99LatencyMs, double RequestsPerSecond, int Restarts, DateTimeOffset At)
{
    public static VersionHealth From(Autopilot.Remediation.Compaction.MetricSnapshot s) =>
        new(s.Version, s.ErrorRatio, s.P99LatencyMs, s.RequestsPerSecond, s.Restarts, s.At);
}

public sealed record SopSearchHit(
    string Id, string Title, string Kind, double Score, IReadOnlyList<string> Reasons,
    IReadOnlyList<string> AllowedActions, string DefaultAction, bool DefaultActionSafe);
