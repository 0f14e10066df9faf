using Autopilot.Decisions.Cases;
using Autopilot.Incidents.Health;
using Autopilot.Incidents.Incidents;
using Autopilot.Incidents.Planning;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Decisions.Planning;

/// <summary>
/// Turns a case into exactly what the incident loop hands the planner at triage: the alerts, the fact sheet built by
/// the loop's own <see cref="FactSheetBuilder"/>, the SOPs the loop's retriever finds, and the route's proposal context.
/// Steps 1–3 of the loop (perceive, compact, retrieve) with the case standing in for Prometheus and the cluster.
/// </summary>
public sealed class CasePerception(ISopRetriever sops, FactSheetBuilder factSheets, HealthBounds bounds, int sopTop = 3)
{
    /// <summary>Perception as the incident loop runs it with its default options (fact sheet budget, SOPs retrieved,
    /// health thresholds): what evaluation and training both see.</summary>
    public static CasePerception WithLoopDefaults(ISopRetriever sops)
    {
        var incidents = new IncidentOptions();
        return new CasePerception(sops, new FactSheetBuilder(TiktokenTokenCounter.Instance, incidents.FactSheetTokenBudget),
            new HealthJudge(new HealthOptions()).Bounds, incidents.SopTop);
    }

    public sealed record Perceived(PlanRequest Request, FactSheet FactSheet, IReadOnlyList<SopMatch> Matches, RouteState? Route);

    public Perceived Perceive(DecisionCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var alerts = Alerts(c);
        var route = Route(c);
        var input = new FactSheetInput(WorkloadKey(c), alerts, Metrics(c), route, c.RecentActions, c.Now) { Bounds = bounds };
        var facts = factSheets.Build(input);
        var matches = sops.Retrieve(new SopQuery(alerts, facts.Text), sopTop);
        var context = route is null ? null : ProposalContext.From(route);
        var request = new PlanRequest(c.Id, facts.Text, SopMatch.Authoritative(matches), context, alerts);
        return new Perceived(request, facts, matches, route);
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
