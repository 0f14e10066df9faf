using Autopilot.Incidents.Planning;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Proposals;

namespace Autopilot.Actors.Tests.Incidents;

/// <summary>What the grammar lets a reason start with: what the SOP's alerts name or the metrics blame, never a
/// backend the metrics clear.</summary>
public sealed class ReasonSubjectTests
{
    private static readonly ProposalContext Route = new("shop/checkout", ["checkout-v1", "checkout-v2"], "checkout-v1");

    private static Alert Firing(params (string Key, string Value)[] labels) =>
        new("f1", AlertStatus.Firing, labels.Append((Key: "alertname", Value: "CanaryHighErrorRate")).ToDictionary(l => l.Key, l => l.Value),
            new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, null, null);

    private static PlanRequest Request(IReadOnlyList<string> outOfBounds, params Alert[] alerts) =>
        new("i1", "facts", null, Route, alerts) { OutOfBounds = outOfBounds.ToDictionary(b => b, _ => (IReadOnlyList<string>)["err>5%"]) };

    private static SopMatch CanarySop(params string[] reasonAbout) => new(new Sop("canary-high-error-rate", "Canary 5xx", KnowledgeKind.Sop,
        new SopMatchRule(["CanaryHighErrorRate"], new Dictionary<string, string>()),
        [new AllowedAction(ActionNames.RollbackCanary), new AllowedAction(ActionNames.Escalate)],
        ActionNames.RollbackCanary, true, "critical", "", "sops/canary-high-error-rate.md") { ReasonAbout = reasonAbout }, 1, []) { MatchedByRule = true };

    private static Alert Other(params (string Key, string Value)[] labels) =>
        new("o1", AlertStatus.Firing, labels.Append((Key: "alertname", Value: "KubeJobFailed")).ToDictionary(l => l.Key, l => l.Value),
            new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, null, null);

    [Fact]
    public void An_alert_the_metrics_do_not_confirm_is_about_the_version_it_names_and_nothing_else()
    {
        var subjects = PlanningPrompt.SubjectsOf(Request([], Firing(("version", "checkout-v2"), ("workload", "checkout")),
            Other(("service", "backup"), ("workload", "checkout"))) with { Sop = CanarySop() });

        Assert.Equal(["checkout-v2"], subjects);
    }

    [Fact]
    public void A_failing_stable_backend_may_be_blamed_beside_the_version_the_alert_names()
    {
        var subjects = PlanningPrompt.SubjectsOf(Request(["checkout-v1", "checkout-v2"],
            Firing(("version", "checkout-v2"), ("workload", "checkout"))) with { Sop = CanarySop() });

        Assert.Equal(["checkout-v1", "checkout-v2"], subjects);
    }

    [Fact]
    public void A_healthy_version_the_alert_names_is_no_subject_when_another_backend_is_out_of_bounds()
    {
        var subjects = PlanningPrompt.SubjectsOf(Request(["checkout-v1"],
            Firing(("version", "checkout-v2"), ("workload", "checkout"))) with { Sop = CanarySop() });

        Assert.Equal(["checkout-v1"], subjects);
    }

    [Fact]
    public void What_the_sop_says_its_reasons_are_about_outranks_the_failing_backends()
    {
        var subjects = PlanningPrompt.SubjectsOf(Request(["checkout-v1", "checkout-v2"],
            Firing(("version", "checkout-v2"), ("dependency", "payments-db"), ("workload", "checkout"))) with { Sop = CanarySop("dependency") });

        Assert.Equal(["payments-db"], subjects);
    }

    [Fact]
    public void An_sop_alert_without_the_label_its_reasons_are_about_falls_back_to_what_it_names()
    {
        var subjects = PlanningPrompt.SubjectsOf(Request([], Firing(("workload", "checkout"))) with { Sop = CanarySop("dependency") });

        Assert.Equal(["checkout"], subjects);
    }

    [Fact]
    public void Without_an_sop_alert_that_names_anything_every_backend_and_every_name_the_alerts_carry_is_a_subject()
    {
        var subjects = PlanningPrompt.SubjectsOf(Request([], Firing(("version", "checkout-v2"), ("workload", "checkout"))));

        Assert.Equal(["checkout-v1", "checkout-v2", "checkout"], subjects);
    }

    [Fact]
    public void A_healthy_backend_is_no_subject_when_another_is_out_of_bounds()
    {
        var subjects = PlanningPrompt.SubjectsOf(Request(["checkout-v2"],
            Firing(("version", "checkout-v1"), ("dependency", "payments-db"), ("workload", "checkout"))));

        Assert.Equal(["checkout-v2", "payments-db", "checkout"], subjects);
    }

    [Fact]
    public async Task The_prompt_tells_the_grammar_which_signals_a_blamed_backend_is_out_of_bounds_on()
    {
        var sop = new SopMatch(new Sop("canary-high-error-rate", "Canary 5xx", KnowledgeKind.Sop,
            new SopMatchRule(["CanaryHighErrorRate"], new Dictionary<string, string>()),
            [new AllowedAction(ActionNames.RollbackCanary), new AllowedAction(ActionNames.Escalate)],
            ActionNames.RollbackCanary, true, "critical", "", "sops/canary-high-error-rate.md"), 1, []) { MatchedByRule = true };
        var request = new PlanRequest("i1", "facts", sop, Route with { CurrentWeights = new Dictionary<string, int> { ["checkout-v1"] = 90, ["checkout-v2"] = 10 } },
            [Firing(("version", "checkout-v2"))])
        {
            OutOfBounds = new Dictionary<string, IReadOnlyList<string>> { ["checkout-v2"] = ["err>5%", "p99>2x-stable"] },
        };

        var prompt = await new PlanningPrompt(new Microsoft.SemanticKernel.Kernel(), new PlanningOptions()).RenderAsync(request, CancellationToken.None);

        Assert.Equal(["err", "p99"], prompt.Context.SubjectSignals["checkout-v2"]);
        Assert.Contains("\"checkout-v2 \" (\"err\" | \"p99\")", prompt.Grammar);
        Assert.DoesNotContain("\"checkout-v1\"", prompt.Grammar.Split('\n').Single(l => l.StartsWith("reason-subject", StringComparison.Ordinal)));
    }
}
