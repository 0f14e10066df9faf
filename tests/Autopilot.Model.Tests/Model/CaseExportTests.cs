using Autopilot.Decisions.Cases;
using Autopilot.Decisions.Export;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Model.Tests.Model;

public sealed class CaseExportTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static IncidentRecord Record(DecisionStatus status, bool verifiedHealthy = false, bool undone = false, bool awaitedApproval = false)
    {
        var route = new RouteState(new RouteRef("shop", "checkout"), "7",
            [new RouteRule(0, [new BackendWeight("checkout-v1", 90), new BackendWeight("checkout-v2", 10)])], "checkout-v1", new Dictionary<string, string>());
        var alert = new AlertEntry("f1", "CanaryHighErrorRate", AlertStatus.Firing,
            new Dictionary<string, string> { ["alertname"] = "CanaryHighErrorRate", ["version"] = "checkout-v2" },
            new Dictionary<string, string> { ["summary"] = "checkout-v2 answers 40% 5xx" }, At.AddMinutes(-2), 3);
        var decision = new GuardrailDecision("c1", status, null, null, null, null, At.AddSeconds(2));
        List<StepRecord> steps = [new(At, "compact", 1, "facts")];
        if (awaitedApproval) steps.Add(new StepRecord(At.AddSeconds(1), "guardrail", 1, "AwaitingApproval: isolate needs a human"));
        return IncidentRecord.Open("i-1", new WorkloadKey("shop", "checkout"), At.AddMinutes(-1)) with
        {
            Phase = IncidentPhase.Resolved,
            ClosedAt = At.AddMinutes(10),
            Alerts = new AlertDigest([alert], 3, 1, 0, ["CanaryHighErrorRate"]),
            Metrics = [new MetricSnapshot("checkout-v2", 0.4, 40, 5, 0, At), new MetricSnapshot("checkout-v1", double.NaN, 38, 45, 0, At)],
            Route = route,
            Plan = new PlanRecord(ProposalSource.Model, "canary-high-error-rate", "{}", null, null, 42, ["rollback_canary"]),
            Proposal = new RollbackCanary("shop/checkout", "checkout-v2 err=40% > 5%"),
            Decision = decision,
            Verifications = verifiedHealthy ? [new VerificationRecord(At.AddMinutes(1), HealthVerdict.Improved, true, "healthy", [])] : [],
            Undo = undone ? decision with { Status = DecisionStatus.Undone } : null,
            Steps = steps,
        };
    }

    [Fact]
    public void A_change_that_verified_healthy_becomes_a_positive_case_with_its_proposal_as_target()
    {
        var outcome = IncidentCaseExporter.Export(Record(DecisionStatus.Applied, verifiedHealthy: true));

        var c = Assert.IsType<DecisionCase>(outcome.Case);
        Assert.Equal(["rollback_canary"], c.Expect.Actions);
        Assert.Equal(ProposalJson.Serialize(new RollbackCanary("shop/checkout", "checkout-v2 err=40% > 5%")), c.Target);
        Assert.Equal("canary-high-error-rate", c.Sop);
        Assert.Equal(At, c.Now);
        Assert.Null(c.Metrics.Single(m => m.Version == "checkout-v1").ErrorRatio); // no data stays no data
        Assert.Null(CaseFiles.Problem(c));
    }

    [Fact]
    public void A_human_approval_makes_a_positive_case_even_before_verification()
    {
        Assert.NotNull(IncidentCaseExporter.Export(Record(DecisionStatus.Applied, awaitedApproval: true)).Case);
    }

    [Theory]
    [InlineData(DecisionStatus.Rejected, false)]
    [InlineData(DecisionStatus.Applied, true)]
    public void A_rejected_or_undone_change_becomes_a_negative_case(DecisionStatus status, bool undone)
    {
        var c = IncidentCaseExporter.Export(Record(status, undone: undone)).Case!;
        Assert.Empty(c.Expect.Actions);
        Assert.Equal(["rollback_canary"], c.Expect.Forbidden);
        Assert.Null(c.Target);
    }

    [Fact]
    public void Open_and_unjudged_incidents_are_skipped_with_the_reason()
    {
        var open = IncidentCaseExporter.Export(Record(DecisionStatus.Applied) with { Phase = IncidentPhase.Applied, ClosedAt = null });
        Assert.Null(open.Case);
        Assert.Contains("still open", open.Verdict);
        var unjudged = IncidentCaseExporter.Export(Record(DecisionStatus.Applied));
        Assert.Null(unjudged.Case);
        Assert.StartsWith("skipped", unjudged.Verdict);
    }

    [Fact]
    public void A_folder_of_audit_files_exports_what_it_can_and_names_what_it_cannot()
    {
        var folder = Directory.CreateTempSubdirectory("audit-").FullName;
        File.WriteAllText(Path.Combine(folder, "i-1.json"),
            System.Text.Json.JsonSerializer.Serialize(Record(DecisionStatus.Applied, verifiedHealthy: true), IncidentStateJson.Options));
        File.WriteAllText(Path.Combine(folder, "broken.json"), "{ truncated");

        var outcomes = IncidentCaseExporter.ExportDirectory(folder);

        Assert.Single(outcomes, o => o.Case is not null);
        Assert.Contains(outcomes, o => o.IncidentId == "broken.json" && o.Verdict.Contains("not an incident record"));
    }
}
