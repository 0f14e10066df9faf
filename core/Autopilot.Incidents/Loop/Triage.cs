using Autopilot.Incidents.Planning;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Incidents.Loop;

/// <summary>
/// The pure steps of triage between perceiving and planning: compact what was perceived into the fact sheet, find the
/// SOPs for it, and make the planner's request. The incident loop and the decision corpus (evaluation and training)
/// both call these, so a model is trained and judged on exactly what the loop would ask it.
/// </summary>
public sealed class Triage(FactSheetBuilder factSheets, ISopRetriever sops, HealthBounds bounds, int sopTop)
{
    /// <summary>Compacts again for the authoritative SOP when it holds the workload to other thresholds or asks for
    /// alert annotations; otherwise the sheet as it is.</summary>
    public FactSheet Recompact(FactSheet facts, IReadOnlyList<SopMatch> matches, WorkloadKey workload, IReadOnlyList<Alert> alerts,
        IReadOnlyList<MetricSnapshot> metrics, RouteState? route, IReadOnlyList<string> recentActions, DateTimeOffset now)
    {
        var sopBounds = BoundsFor(matches);
        var annotations = SopMatch.Authoritative(matches)?.Sop.IncludeAnnotations ?? [];
        if (sopBounds == bounds && annotations.Count == 0) return facts;
        return Compact(workload, alerts, metrics, route, recentActions, now, sopBounds, annotations);
    }

    /// <summary>The thresholds the authoritative SOP holds its workloads to: its health_bounds over the configured ones.</summary>
    public HealthBounds BoundsFor(IReadOnlyList<SopMatch> matches) =>
        SopMatch.Authoritative(matches)?.Sop.HealthBounds?.Over(bounds) ?? bounds;

    /// <summary>The configured per-backend thresholds (an SOP's health_bounds may replace some of them).</summary>
    public HealthBounds Bounds => bounds;

    public FactSheet Compact(WorkloadKey workload, IReadOnlyList<Alert> alerts, IReadOnlyList<MetricSnapshot> metrics, RouteState? route,
        IReadOnlyList<string> recentActions, DateTimeOffset now, HealthBounds? sopBounds = null, IReadOnlyList<string>? annotations = null) =>
        factSheets.Build(new FactSheetInput(workload, alerts, metrics, route, recentActions, now) { Bounds = sopBounds ?? bounds, Annotations = annotations ?? [] });

    public IReadOnlyList<SopMatch> Retrieve(IReadOnlyList<Alert> alerts, FactSheet facts) =>
        sops.Retrieve(new SopQuery(alerts, facts.Text), sopTop);

    /// <summary>Only an SOP whose rule matched these alerts may decide what is allowed; a text-only hit or a
    /// post-mortem informs the audit trail but never widens the action set.</summary>
    public static PlanRequest PlanRequest(string incidentId, FactSheet facts, IReadOnlyList<SopMatch> matches, RouteState? route,
        IReadOnlyList<Alert> alerts) =>
        new(incidentId, facts.Text, SopMatch.Authoritative(matches), route is null ? null : ProposalContext.From(route), alerts)
        {
            OutOfBounds = facts.OutOfBounds,
        };
}
