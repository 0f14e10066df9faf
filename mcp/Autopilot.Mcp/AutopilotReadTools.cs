using System.ComponentModel;
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
[McpServerToolType]
public sealed class AutopilotReadTools(
    IWorkloadHealthSource health,
    IGuardrailReader guardrail,
    IIncidentJournal journal,
    ISopRetriever sops,
    IOptions<IncidentOptions> incidentOptions)
{
    public const int MaxIncidents = 200;

    [McpServerTool(Name = "workload_health", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false)]
    [Description("Current health of a workload per version (backend): error ratio, p99 latency (ms), requests/s, restarts.")]
    public async Task<WorkloadHealth> WorkloadHealthAsync(
        [Description("The workload as namespace/workload, e.g. shop/checkout.")] string workload,
        CancellationToken cancellationToken)
    {
        var key = ParseWorkload(workload);
        var route = await guardrail.ReadRouteAsync(incidentOptions.Value.RouteFor(key), cancellationToken);
        var snapshots = await health.ReadAsync(key, route, cancellationToken);
        return new WorkloadHealth(key.ToString(), route.Route.ToString(), [.. snapshots.Select(VersionHealth.From)]);
    }

    [McpServerTool(Name = "route_state", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false)]
    [Description("The HTTPRoute in front of a workload: backends and weights per rule, resourceVersion, stable backend.")]
    public async Task<RouteState> RouteStateAsync(
        [Description("The route as namespace/name, e.g. shop/checkout.")] string route,
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
        return await guardrail.ReadRouteAsync(routeRef, cancellationToken);
    }

    [McpServerTool(Name = "incident_history", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false)]
    [Description("Incidents, newest first: phase, outcome, alert names, proposed action and the guardrail's decision.")]
    public async Task<IReadOnlyList<IncidentSummary>> IncidentHistoryAsync(
        [Description("Only this workload (namespace/workload); omit for all.")] string? workload = null,
        [Description("Only incidents that are still open.")] bool openOnly = false,
        [Description("At most this many (1-200).")] int limit = 50,
        CancellationToken cancellationToken = default)
    {
        if (workload is not null) ParseWorkload(workload);
        if (limit is < 1 or > MaxIncidents) throw new McpException($"limit: {limit} is out of range; use 1 to {MaxIncidents}.");
        return await journal.ListAsync(new IncidentQuery(workload, openOnly, limit), cancellationToken);
    }

    [McpServerTool(Name = "incident_detail", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false)]
    [Description("The full audit trail of one incident: alerts, fact sheet, SOPs, model output, proposal, verdict, change, verification, timings.")]
    public async Task<IncidentRecord> IncidentDetailAsync(
        [Description("The incident id as incident_history lists it.")] string incidentId,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(incidentId)) throw new McpException("incidentId: required.");
        return await journal.GetAsync(incidentId, cancellationToken)
            ?? throw new McpException($"incidentId: no incident '{incidentId}'.");
    }

    [McpServerTool(Name = "sop_search", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false)]
    [Description("Search the local SOP / post-mortem library by alert name and free text; returns scores and why each matched.")]
    public IReadOnlyList<SopSearchHit> SopSearch(
        [Description("Free text, e.g. 'canary 5xx after deploy'.")] string text,
        [Description("An alert name to match SOP rules against, e.g. CanaryHighErrorRate.")] string? alertName = null,
        [Description("At most this many (1-10).")] int top = 3)
    {
        if (top is < 1 or > 10) throw new McpException($"top: {top} is out of range; use 1 to 10.");
        if (string.IsNullOrWhiteSpace(text) && string.IsNullOrWhiteSpace(alertName))
            throw new McpException("text: give search text or an alertName.");
        IReadOnlyList<Alert> alerts = alertName is null
            ? []
            : [new Alert("mcp-query", AlertStatus.Firing, new Dictionary<string, string> { ["alertname"] = alertName },
                new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, null, null)];
        return [.. sops.Retrieve(new SopQuery(alerts, text ?? ""), top)
            .Select(m => new SopSearchHit(m.Sop.Id, m.Sop.Title, m.Sop.Kind.ToString(), m.Score, m.Reasons,
                [.. m.Sop.AllowedActions.Select(a => a.Action)], m.Sop.DefaultAction, m.Sop.DefaultActionSafe))];
    }

    private static WorkloadKey ParseWorkload(string workload) =>
        WorkloadKey.TryParse(workload, out var key)
            ? key.Value
            : throw new McpException($"workload: '{workload}' is not of the form namespace/workload.");
}

public sealed record WorkloadHealth(string Workload, string Route, IReadOnlyList<VersionHealth> Versions);

/// <summary>MetricSnapshot with NaN ("no data") as null, since JSON has no NaN.</summary>
public sealed record VersionHealth(string Version, double? ErrorRatio, double? P99LatencyMs, double? RequestsPerSecond, int Restarts, DateTimeOffset At)
{
    public static VersionHealth From(Autopilot.Remediation.Compaction.MetricSnapshot s) =>
        new(s.Version, OrNull(s.ErrorRatio), OrNull(s.P99LatencyMs), OrNull(s.RequestsPerSecond), s.Restarts, s.At);

    private static double? OrNull(double value) => double.IsFinite(value) ? value : null;
}

public sealed record SopSearchHit(
    string Id, string Title, string Kind, double Score, IReadOnlyList<string> Reasons,
    IReadOnlyList<string> AllowedActions, string DefaultAction, bool DefaultActionSafe);
