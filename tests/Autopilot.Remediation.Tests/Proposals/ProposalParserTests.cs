using System.Text.Json;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Proposals;
using static Autopilot.Remediation.Tests.Proposals.RouteFixtures;

namespace Autopilot.Remediation.Tests.Proposals;

public class ProposalParserTests
{
    private static readonly AllowedAction[] Everything = ActionNames.All.Select(a => new AllowedAction(a)).ToArray();

    [Theory]
    [InlineData("""{"action":"shift_traffic","route":"shop/checkout","weights":{"checkout-v1":90,"checkout-v2":10},"reason":"v2 5xx"}""", "shift_traffic")]
    [InlineData("""{"action":"rollback_canary","route":"shop/checkout","reason":"v2 5xx at 12%"}""", "rollback_canary")]
    [InlineData("""{"action":"isolate_backend","route":"shop/checkout","backend":"checkout-v2","reason":"crash loop"}""", "isolate_backend")]
    [InlineData("""{"action":"set_rate_limit","route":"shop/checkout","requests_per_second":500,"reason":"surge"}""", "set_rate_limit")]
    [InlineData("""{"action":"escalate","reason":"dependency down; rerouting cannot help"}""", "escalate")]
    [InlineData("""{"action":"no_action","reason":"flapping alert"}""", "no_action")]
    [InlineData(""" { "reason" : "whitespace and key order do not matter", "action" : "no_action" } """, "no_action")]
    public void Parses_each_action_of_the_closed_set(string output, string action)
    {
        var result = ProposalParser.Parse(output, Everything, Context());

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal(action, result.Proposal.Action);
    }

    [Fact]
    public void Parsed_shift_keeps_route_weights_and_reason()
    {
        var result = ProposalParser.Parse(
            """{"action":"shift_traffic","route":"shop/checkout","weights":{"checkout-v2":25,"checkout-v1":75},"reason":"slow v2"}""",
            Everything, Context());

        var shift = Assert.IsType<ShiftTraffic>(result.Proposal);
        Assert.Equal("shop/checkout", shift.Route);
        Assert.Equal(75, shift.Weights[Stable]);
        Assert.Equal(25, shift.Weights[Canary]);
        Assert.Equal("slow v2", shift.Reason);
    }

    [Theory]
    [InlineData("", "$")]
    [InlineData("   ", "$")]
    [InlineData("Sure! Here is the JSON", "$")]
    [InlineData("""{"action":"no_action","reason":"cut off""", "$")]
    [InlineData("""[{"action":"no_action","reason":"x"}]""", "$")]
    [InlineData("""{"action":"no_action","reason":"x"} trailing""", "$")]
    [InlineData("""{"reason":"x"}""", "action")]
    [InlineData("""{"action":7,"reason":"x"}""", "action")]
    [InlineData("""{"action":"restart_pods","reason":"x"}""", "action")]
    [InlineData("""{"action":"no_action","reason":"x","action":"escalate"}""", "action")]
    [InlineData("""{"action":"no_action","reason":"x","confidence":0.9}""", "confidence")]
    [InlineData("""{"action":"escalate"}""", "reason")]
    [InlineData("""{"action":"escalate","reason":""}""", "reason")]
    [InlineData("""{"action":"escalate","reason":"line\nbreak"}""", "reason")]
    [InlineData("""{"action":"escalate","reason":"bell\u0007"}""", "reason")]
    [InlineData("""{"action":"escalate","reason":42}""", "reason")]
    [InlineData("""{"action":"rollback_canary","route":"shop/cart","reason":"x"}""", "route")]
    [InlineData("""{"action":"rollback_canary","reason":"x"}""", "route")]
    [InlineData("""{"action":"shift_traffic","route":"shop/checkout","weights":{"checkout-v1":90,"checkout-v3":10},"reason":"x"}""", "weights.checkout-v3")]
    [InlineData("""{"action":"shift_traffic","route":"shop/checkout","weights":{"checkout-v1":100},"reason":"x"}""", "weights.checkout-v2")]
    [InlineData("""{"action":"shift_traffic","route":"shop/checkout","weights":{"checkout-v1":90,"checkout-v2":9},"reason":"x"}""", "weights")]
    [InlineData("""{"action":"shift_traffic","route":"shop/checkout","weights":{"checkout-v1":90.5,"checkout-v2":9.5},"reason":"x"}""", "weights.checkout-v1")]
    [InlineData("""{"action":"shift_traffic","route":"shop/checkout","weights":{"checkout-v1":"90","checkout-v2":10},"reason":"x"}""", "weights.checkout-v1")]
    [InlineData("""{"action":"shift_traffic","route":"shop/checkout","weights":{"checkout-v1":110,"checkout-v2":-10},"reason":"x"}""", "weights.checkout-v1")]
    [InlineData("""{"action":"shift_traffic","route":"shop/checkout","weights":[90,10],"reason":"x"}""", "weights")]
    [InlineData("""{"action":"isolate_backend","route":"shop/checkout","backend":"checkout-v9","reason":"x"}""", "backend")]
    [InlineData("""{"action":"isolate_backend","route":"shop/checkout","backend":"checkout-v1","reason":"x"}""", "backend")]
    [InlineData("""{"action":"set_rate_limit","route":"shop/checkout","requests_per_second":0,"reason":"x"}""", "requests_per_second")]
    [InlineData("""{"action":"set_rate_limit","route":"shop/checkout","requests_per_second":"lots","reason":"x"}""", "requests_per_second")]
    public void Bad_output_gives_a_typed_error_naming_the_field(string output, string field)
    {
        var result = ProposalParser.Parse(output, Everything, Context());

        Assert.False(result.IsSuccess);
        Assert.Equal(field, result.Error.Field);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
    }

    [Fact]
    public void Reason_is_bounded_in_code_points()
    {
        var longest = new string('é', ProposalLimits.MaxReasonLength);
        var emoji = string.Concat(Enumerable.Repeat("😀", ProposalLimits.MaxReasonLength)); // 320 UTF-16 units, 160 code points

        Assert.True(Parse(longest).IsSuccess);
        Assert.True(Parse(emoji).IsSuccess);
        var tooLong = Parse(longest + "x");
        Assert.Equal("reason", tooLong.Error!.Field);

        static ProposalParseResult Parse(string reason) =>
            ProposalParser.Parse($$"""{"action":"escalate","reason":{{JsonSerializer.Serialize(reason)}}}""", Everything, Context());
    }

    [Fact]
    public void Huge_output_is_refused_before_parsing()
    {
        var result = ProposalParser.Parse(new string(' ', 10) + "{" + new string('x', 1 << 20), Everything, Context());

        Assert.Equal("$", result.Error!.Field);
        Assert.Contains("at most", result.Error.Message);
    }

    [Fact]
    public void Null_output_is_an_error_not_an_exception()
    {
        Assert.Equal("$", ProposalParser.Parse(null, Everything, Context()).Error!.Field);
    }

    [Theory]
    [MemberData(nameof(EveryActionAgainstEveryOtherAllowedSet))]
    public void Actions_the_sop_does_not_allow_are_rejected(string action, string[] allowed)
    {
        var output = ProposalJson.Serialize(Valid(action));

        var result = ProposalParser.Parse(output, allowed.Select(a => new AllowedAction(a)).ToArray(), Context());

        if (allowed.Contains(action))
        {
            Assert.True(result.IsSuccess, result.Error?.ToString());
            Assert.Equal(action, result.Proposal.Action);
        }
        else
        {
            Assert.Equal("action", result.Error!.Field);
            Assert.Contains("not allowed by the SOP", result.Error.Message);
        }
    }

    public static TheoryData<string, string[]> EveryActionAgainstEveryOtherAllowedSet()
    {
        var data = new TheoryData<string, string[]>();
        string[][] sets =
        [
            [ActionNames.RollbackCanary],
            [ActionNames.Escalate],
            [ActionNames.ShiftTraffic, ActionNames.Escalate],
            [ActionNames.SetRateLimit, ActionNames.NoAction],
            [ActionNames.IsolateBackend, ActionNames.RollbackCanary, ActionNames.Escalate],
        ];
        foreach (var action in ActionNames.All)
        foreach (var set in sets)
            data.Add(action, set);
        return data;
    }

    [Fact]
    public void Sop_bounds_on_weights_are_enforced_at_their_boundary()
    {
        AllowedAction[] allowed = [new(ActionNames.ShiftTraffic, MaxStepPercent: 20, MinStableWeight: 60)];
        var context = Context(stableWeight: 90);

        Assert.True(Parse(70, 30).IsSuccess);   // step 20 exactly, above floor
        Assert.Equal("weights.checkout-v1", Parse(69, 31).Error!.Field); // step 21
        Assert.Contains("max_step_percent", Parse(69, 31).Error!.Message);

        var floorContext = Context(stableWeight: 70);
        Assert.True(ProposalParser.Parse(Output(60, 40), allowed, floorContext).IsSuccess);
        var belowFloor = ProposalParser.Parse(Output(59, 41), allowed, floorContext);
        Assert.Equal("weights.checkout-v1", belowFloor.Error!.Field);
        Assert.Contains("min_stable_weight", belowFloor.Error.Message);

        ProposalParseResult Parse(int stable, int canary) => ProposalParser.Parse(Output(stable, canary), allowed, context);
        static string Output(int stable, int canary) => ProposalJson.Serialize(Shift(stable, canary));
    }

    [Fact]
    public void Sop_bounds_on_rate_limits_are_enforced_at_their_boundary()
    {
        AllowedAction[] allowed = [new(ActionNames.SetRateLimit, MinRequestsPerSecond: 100, MaxRequestsPerSecond: 2000)];

        Assert.True(Parse(100).IsSuccess);
        Assert.True(Parse(2000).IsSuccess);
        Assert.Equal("requests_per_second", Parse(99).Error!.Field);
        Assert.Equal("requests_per_second", Parse(2001).Error!.Field);

        ProposalParseResult Parse(int rps) =>
            ProposalParser.Parse(ProposalJson.Serialize(new SetRateLimit("shop/checkout", rps, "surge")), allowed, Context());
    }

    [Fact]
    public void Rollback_without_a_stable_backend_cannot_be_expressed()
    {
        var context = new ProposalContext("shop/checkout", [Stable, Canary], StableBackend: null);

        var result = ProposalParser.Parse("""{"action":"rollback_canary","route":"shop/checkout","reason":"x"}""", Everything, context);

        Assert.Equal("action", result.Error!.Field);
        Assert.Contains("no stable backend", result.Error.Message);
    }

    [Fact]
    public void Canonical_wire_form_matches_the_documented_example_and_round_trips()
    {
        var proposal = new ShiftTraffic("shop/checkout", new Dictionary<string, int> { [Stable] = 90, [Canary] = 10 }, "v2 5xx");

        var wire = ProposalJson.Serialize(proposal);

        Assert.Equal("""{"action":"shift_traffic","route":"shop/checkout","weights":{"checkout-v1":90,"checkout-v2":10},"reason":"v2 5xx"}""", wire);
        Assert.Equal(wire, ProposalJson.Serialize(ProposalParser.Parse(wire, Everything, Context()).Proposal!));
    }

    [Theory]
    [InlineData(ActionNames.ShiftTraffic)]
    [InlineData(ActionNames.RollbackCanary)]
    [InlineData(ActionNames.IsolateBackend)]
    [InlineData(ActionNames.SetRateLimit)]
    [InlineData(ActionNames.Escalate)]
    [InlineData(ActionNames.NoAction)]
    public void Proposals_round_trip_through_System_Text_Json_with_the_shared_options(string action)
    {
        var proposal = Valid(action);

        var stored = JsonSerializer.Serialize(proposal, ProposalJson.Options);
        var back = JsonSerializer.Deserialize<Proposal>(stored, ProposalJson.Options)!;

        Assert.Equal(ProposalJson.Serialize(proposal), ProposalJson.Serialize(back));
        Assert.True(ProposalParser.Parse(stored, Everything, Context()).IsSuccess, stored);
    }

    internal static Proposal Valid(string action) => action switch
    {
        ActionNames.ShiftTraffic => Shift(80, 20),
        ActionNames.RollbackCanary => new RollbackCanary("shop/checkout", "v2 errors"),
        ActionNames.IsolateBackend => new IsolateBackend("shop/checkout", Canary, "v2 crash loop"),
        ActionNames.SetRateLimit => new SetRateLimit("shop/checkout", 300, "surge"),
        ActionNames.Escalate => new Escalate("dependency down"),
        _ => new NoAction("flapping"),
    };
}
