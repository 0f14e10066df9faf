using Autopilot.Incidents.Planning;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Proposals;

namespace Autopilot.Actors.Tests.Incidents;

/// <summary>What the grammar lets a reason start with: names of this incident, never a backend the metrics clear.</summary>
public sealed class ReasonSubjectTests
{
    private static readonly ProposalContext Route = new("shop/checkout", ["checkout-v1", "checkout-v2"], "checkout-v1");

    private static Alert Firing(params (string Key, string Value)[] labels) =>
        new("f1", AlertStatus.Firing, labels.Append((Key: "alertname", Value: "CanaryHighErrorRate")).ToDictionary(l => l.Key, l => l.Value),
            new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, null, null);

    private static PlanRequest Request(IReadOnlyList<string> outOfBounds, params Alert[] alerts) =>
        new("i1", "facts", null, Route, alerts) { OutOfBounds = outOfBounds.ToDictionary(b => b, _ => (IReadOnlyList<string>)["err>5%"]) };

    [Fact]
    public void With_nothing_out_of_bounds_every_backend_and_every_name_the_alerts_carry_is_a_subject()
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
