using Autopilot.Decisions.Cases;
using Autopilot.Incidents.Health;
using Autopilot.Incidents.Loop;
using Autopilot.Incidents.Planning;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Decisions.Planning;

/// <summary>
/// Turns a case into exactly what the incident loop hands the planner at triage: the alerts, the fact sheet built by
/// the loop's own <see cref="Triage"/>, the SOPs it finds, and the route's proposal context: steps 1–3 of the loop
/// (perceive, compact, retrieve) with the case standing in for Prometheus and the cluster.
/// </summary>
public sealed class CasePerception(Triage triage)
{
    /// <summary>Perception as the incident loop runs it with its default options (fact sheet budget, SOPs retrieved,
    /// health thresholds): what evaluation and training both see.</summary>
    public static CasePerception WithLoopDefaults(ISopRetriever sops)
    {
        var incidents = new IncidentOptions();
        return new CasePerception(new Triage(new FactSheetBuilder(TiktokenTokenCounter.Instance, incidents.FactSheetTokenBudget), sops,
            new HealthJudge(new HealthOptions()).Bounds, incidents.SopTop));
    }

    public sealed record Perceived(PlanRequest Request, FactSheet FactSheet, IReadOnlyList<SopMatch> Matches, RouteState? Route);

    public Perceived Perceive(DecisionCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var alerts = Alerts(c);
        var route = Route(c);
        var facts = triage.Compact(WorkloadKey(c), alerts, Metrics(c), route, c.RecentActions, c.Now);
        var matches = triage.Retrieve(alerts, facts);
        facts = triage.Recompact(facts, matches, WorkloadKey(c), alerts, Metrics(c), route, c.RecentActions, c.Now);
        return new Perceived(Triage.PlanRequest(c.Id, facts, matches, route, alerts), facts, matches, route);
    }

    public static WorkloadKey WorkloadKey(DecisionCase c)
    {
        var parts = c.Workload.Split('/');
        return new WorkloadKey(parts[0], parts[1]);
    }

    public static IReadOnlyList<Alert> Alerts(DecisionCase c)
    {
        var (ns, name) = (c.Workload.Split('/')[0], c.Workload.Split('/')[1]);
        return c.Alerts.Select(a =>
        {
            var labels = new Dictionary<string, string>(a.Labels, StringComparer.Ordinal);
            labels.TryAdd("alertname", a.Name);
            labels.TryAdd("namespace", ns);
            labels.TryAdd("workload", name);
            return new Alert(AlertFingerprint.Of(labels), a.Status == "resolved" ? AlertStatus.Resolved : AlertStatus.Firing,
                labels, a.Annotations, a.StartsAt, a.EndsAt, null);
        }).ToList();
    }

    public static IReadOnlyList<MetricSnapshot> Metrics(DecisionCase c) =>
        c.Metrics.Select(m => new MetricSnapshot(m.Version, m.ErrorRatio ?? double.NaN, m.P99Ms ?? double.NaN, m.Rps ?? double.NaN,
            m.Restarts, m.At ?? c.Now)).ToList();

    public static RouteState? Route(DecisionCase c)
    {
        if (c.Route is not { } route) return null;
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (route.Stable is not null) annotations["autopilot.io/stable-backend"] = route.Stable;
        return new RouteState(RouteRef.Parse(route.Name), "1",
            [new RouteRule(0, [.. route.Backends.Select(b => new BackendWeight(b.Name, b.Weight))])], route.Stable, annotations);
    }
}
