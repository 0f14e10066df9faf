using Autopilot.Decisions.Cases;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Proposals;
using System.Text.Json;

namespace Autopilot.Decisions.Export;

/// <summary>Why an incident did or did not become a case.</summary>
public sealed record ExportOutcome(string IncidentId, DecisionCase? Case, string Verdict);

/// <summary>
/// Turns closed incidents of the audit trail into decision cases, so an operator can evaluate and retrain on their own
/// history. A change that a human approved, or that verified healthy and was not undone, is a positive case (its
/// proposal is the target); a change a human rejected or the loop undid is a negative case (its action is forbidden
/// for those facts). Anything else (open incidents, escalations, fallbacks nobody judged) teaches nothing and is skipped.
/// </summary>
public static class IncidentCaseExporter
{
    public static ExportOutcome Export(IncidentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.IsOpen) return Skip(record, "still open");
        if (record.Proposal is not { ChangesTraffic: true } proposal || record.Decision is not { } decision)
            return Skip(record, "no traffic change was proposed");
        if (record.Alerts.Entries.Count == 0) return Skip(record, "no alerts recorded");

        var humanApproved = decision.Status == DecisionStatus.Applied
            && record.Steps.Any(s => s.Step == "guardrail" && s.Summary.StartsWith(nameof(DecisionStatus.AwaitingApproval), StringComparison.Ordinal));
        var undone = record.Undo is { Status: DecisionStatus.Undone };
        var verified = decision.Status == DecisionStatus.Applied && !undone && record.Verifications.Any(v => v.Healthy);
        CaseExpectation expect;
        string verdict;
        if (decision.Status == DecisionStatus.Rejected || undone)
        {
            expect = new CaseExpectation { Forbidden = [proposal.Action] };
            verdict = undone ? "negative: the change was undone" : "negative: a human rejected the change";
        }
        else if (humanApproved || verified)
        {
            expect = new CaseExpectation { Actions = [proposal.Action] };
            verdict = humanApproved ? "positive: a human approved the change" : "positive: the change verified healthy";
        }
        else
        {
            return Skip(record, $"decision {decision.Status} was neither approved, verified nor undone");
        }

        var triage = record.Steps.FirstOrDefault(s => s.Step == "compact")?.At ?? record.OpenedAt;
        var c = new DecisionCase
        {
            Id = "exported-" + record.IncidentId,
            Kind = CaseKinds.Exported,
            Sop = record.Plan?.SopId,
            Note = $"{verdict}; incident {record.IncidentId}, outcome {record.Outcome ?? record.Phase.ToString()}",
            Now = triage,
            Workload = record.Workload,
            Route = record.Route is { } route
                ? new CaseRoute(route.Route.ToString(), route.StableBackend, [.. route.Weights().Select(b => new CaseBackend(b.Name, b.Weight))])
                : null,
            Metrics = [.. record.Metrics.Select(m => new CaseMetric(m.Version, Finite(m.ErrorRatio), Finite(m.P99LatencyMs), Finite(m.RequestsPerSecond), m.Restarts) { At = m.At })],
            Alerts = [.. record.Alerts.Entries.Select(a => new CaseAlert(a.Name, a.Labels, a.StartsAt)
            {
                Status = a.Status == AlertStatus.Resolved ? "resolved" : "firing",
                Annotations = a.Annotations,
            })],
            Expect = expect,
            Target = expect.Actions.Count > 0 ? ProposalJson.Serialize(proposal) : null,
        };
        return new ExportOutcome(record.IncidentId, c, verdict);
    }

    /// <summary>Every incident record (*.json, the stand-alone audit trail or saved GET /incidents/{id} answers) in a folder.</summary>
    public static IReadOnlyList<ExportOutcome> ExportDirectory(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"No audit trail folder at '{directory}'.");
        var outcomes = new List<ExportOutcome>();
        foreach (var file in Directory.GetFiles(directory, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            IncidentRecord? record;
            try
            {
                record = JsonSerializer.Deserialize<IncidentRecord>(File.ReadAllText(file), IncidentStateJson.Options);
            }
            catch (JsonException e)
            {
                outcomes.Add(new ExportOutcome(Path.GetFileName(file), null, $"skipped: not an incident record ({e.Message})"));
                continue;
            }
            outcomes.Add(record is null ? new ExportOutcome(Path.GetFileName(file), null, "skipped: empty file") : Export(record));
        }
        return outcomes;
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static ExportOutcome Skip(IncidentRecord record, string why) => new(record.IncidentId, null, "skipped: " + why);
}
