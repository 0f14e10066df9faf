using Autopilot.Incidents.Planning;
using Autopilot.Remediation.Alerts;
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
        new("i1", "facts", null, Route, alerts) { OutOfBounds = outOfBounds };

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
}
