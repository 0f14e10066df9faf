using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Proposals;
using static Autopilot.Remediation.Tests.Proposals.RouteFixtures;

namespace Autopilot.Remediation.Tests.Proposals;

public class ProposalGrammarTests
{
    private static readonly AllowedAction[] Everything = ActionNames.All.Select(a => new AllowedAction(a)).ToArray();

    public static TheoryData<int> EveryNonEmptyActionSubset()
    {
        var data = new TheoryData<int>();
        for (var mask = 1; mask < 1 << ActionNames.All.Count; mask++) data.Add(mask);
        return data;
    }

    private static AllowedAction[] Subset(int mask) =>
        ActionNames.All.Where((_, i) => (mask & (1 << i)) != 0).Select(a => new AllowedAction(a)).ToArray();

    [Theory]
    [MemberData(nameof(EveryNonEmptyActionSubset))]
    public void Everything_the_grammar_generates_is_an_allowed_action_the_parser_accepts(int mask)
    {
        var allowed = Subset(mask);
        var names = allowed.Select(a => a.Action).ToHashSet();
        var grammar = new GbnfRecognizer(ProposalGrammar.Build(allowed, Context()));
        var random = new Random(mask);
        var seen = new HashSet<string>();

        for (var i = 0; i < 20; i++)
        {
            var output = grammar.Sample(random);
            Assert.True(grammar.Accepts(output), output);
            using var json = JsonDocument.Parse(output); // always valid JSON
            var action = json.RootElement.GetProperty("action").GetString()!;
            Assert.Contains(action, names);
            seen.Add(action);

            var parsed = ProposalParser.Parse(output, allowed, Context());
            Assert.True(parsed.IsSuccess, $"{parsed.Error}: {output}");
            Assert.Equal(action, parsed.Proposal.Action);
        }
        Assert.NotEmpty(seen);
    }

    [Theory]
    [MemberData(nameof(EveryNonEmptyActionSubset))]
    public void No_answer_the_grammar_admits_is_longer_than_its_longest_answer(int mask)
    {
        var allowed = Subset(mask);
        var longest = ProposalGrammar.LongestAnswer(allowed, Context(90));
        var grammar = new GbnfRecognizer(ProposalGrammar.Build(allowed, Context(90)));
        var random = new Random(mask);

        for (var i = 0; i < 20; i++)
        {
            var output = grammar.Sample(random);
            Assert.True(System.Text.Encoding.UTF8.GetByteCount(output) <= longest, $"{output} is longer than {longest} bytes");
        }
        var fullReason = new string('x', ProposalLimits.MaxReasonLength);
        foreach (var proposal in new Proposal[] { new Escalate(fullReason), new RollbackCanary("shop/checkout", fullReason),
                     new SetRateLimit("shop/checkout", 2000, fullReason), Shift(100, 0) with { Reason = fullReason } })
        {
            var output = ProposalJson.Serialize(proposal);
            if (!allowed.Any(a => a.Action == proposal.Action) || !grammar.Accepts(output)) continue;
            Assert.True(System.Text.Encoding.UTF8.GetByteCount(output) <= longest, $"{output} is longer than {longest} bytes");
        }
    }

    [Fact]
    public void With_three_backends_only_the_weight_sum_is_left_to_the_parser()
    {
        var context = new ProposalContext("shop/checkout", [Stable, Canary, "checkout-v3"], Stable,
            new Dictionary<string, int> { [Stable] = 80, [Canary] = 10, ["checkout-v3"] = 10 });
        AllowedAction[] allowed = [new(ActionNames.ShiftTraffic, MaxStepPercent: 30, MinStableWeight: 60)];
        var grammar = new GbnfRecognizer(ProposalGrammar.Build(allowed, context));
        var random = new Random(3);
        var failures = new HashSet<string>();

        for (var i = 0; i < 60; i++)
        {
            var output = grammar.Sample(random);
            var parsed = ProposalParser.Parse(output, allowed, context);
            if (parsed.IsSuccess) Assert.Equal(100, ((ShiftTraffic)parsed.Proposal).Weights.Values.Sum());
            else failures.Add(parsed.Error.Field);
        }
        Assert.Equal(["weights"], failures);
        Assert.True(grammar.Accepts(ProposalJson.Serialize(new ShiftTraffic("shop/checkout",
            new Dictionary<string, int> { [Stable] = 60, [Canary] = 20, ["checkout-v3"] = 20 }, "spread"))));
    }

    [Theory]
    [MemberData(nameof(EveryNonEmptyActionSubset))]
    public void Grammar_admits_exactly_the_allowed_actions(int mask)
    {
        var allowed = Subset(mask);
        var grammar = new GbnfRecognizer(ProposalGrammar.Build(allowed, Context()));

        foreach (var action in ActionNames.All)
        {
            var output = ProposalJson.Serialize(ProposalParserTests.Valid(action));
            var isAllowed = allowed.Any(a => a.Action == action);
            Assert.Equal(isAllowed, grammar.Accepts(output));
            Assert.Equal(isAllowed, ProposalParser.Parse(output, allowed, Context()).IsSuccess);
        }
    }

    [Theory]
    [InlineData("""{"action":"restart_pods","route":"shop/checkout","reason":"x"}""")]
    [InlineData("""{"action":"rollback_canary","route":"shop/cart","reason":"x"}""")]
    [InlineData("""{"action":"isolate_backend","route":"shop/checkout","backend":"checkout-v3","reason":"x"}""")]
    [InlineData("""{"action":"isolate_backend","route":"shop/checkout","backend":"checkout-v1","reason":"stable"}""")]
    [InlineData("""{"action":"shift_traffic","route":"shop/checkout","weights":{"checkout-v1":101,"checkout-v2":0},"reason":"x"}""")]
    [InlineData("""{"action":"shift_traffic","route":"shop/checkout","weights":{"checkout-v1":090,"checkout-v2":10},"reason":"x"}""")]
    [InlineData("""{"action":"shift_traffic","route":"shop/checkout","weights":{"checkout-v1":-5,"checkout-v2":105},"reason":"x"}""")]
    [InlineData("""{"action":"shift_traffic","route":"shop/checkout","weights":{"checkout-v1":90},"reason":"x"}""")]
    [InlineData("""{"action":"set_rate_limit","route":"shop/checkout","requests_per_second":0,"reason":"x"}""")]
    [InlineData("""{"action":"escalate","reason":""}""")]
    [InlineData("""{"action":"escalate","reason":"say \"hi\""}""")]
    [InlineData("""{"action":"escalate","reason":"tab	inside"}""")]
    [InlineData("""{"action":"escalate","reason":"x","extra":1}""")]
    [InlineData("""{"action":"escalate","reason":"x"} """)]
    public void Grammar_and_parser_both_reject_out_of_set_output(string output)
    {
        var grammar = new GbnfRecognizer(ProposalGrammar.Build(Everything, Context()));

        Assert.False(grammar.Accepts(output));
        // The parser is more lenient about formatting (whitespace, escapes) but never about content.
        var parsed = ProposalParser.Parse(output, Everything, Context());
        if (parsed.IsSuccess) Assert.Matches(@"\s$|\\""", output);
    }

    [Fact]
    public void Reason_length_limit_is_the_same_in_grammar_and_parser()
    {
        var grammar = new GbnfRecognizer(ProposalGrammar.Build(Everything, Context()));
        foreach (var length in new[] { 1, ProposalLimits.MaxReasonLength, ProposalLimits.MaxReasonLength + 1 })
        {
            var output = $$"""{"action":"escalate","reason":"{{new string('x', length)}}"}""";
            var expected = length <= ProposalLimits.MaxReasonLength;
            Assert.Equal(expected, grammar.Accepts(output));
            Assert.Equal(expected, ProposalParser.Parse(output, Everything, Context()).IsSuccess);
        }
    }

    [Theory]
    [InlineData("v2 5xx at 12% (p99 1.2s) -> roll back; see SOP bad-canary#2 [ok]", true)]
    [InlineData("caf\u00e9", false)]
    [InlineData("日本", false)]
    public void Grammar_keeps_reasons_to_printable_ascii(string reason, bool admitted)
    {
        // A byte-level sampler can leave a multi-byte character half-written; ASCII cannot be.
        var grammar = new GbnfRecognizer(ProposalGrammar.Build(Everything, Context()));
        var output = $$"""{"action":"escalate","reason":"{{reason}}"}""";

        Assert.Equal(admitted, grammar.Accepts(output));
        Assert.True(ProposalParser.Parse(output, Everything, Context()).IsSuccess); // the parser takes any text
    }

    [Fact]
    public void Weight_bounds_from_the_sop_are_in_the_grammar()
    {
        AllowedAction[] allowed = [new(ActionNames.ShiftTraffic, MaxStepPercent: 20, MinStableWeight: 60)];
        var grammar = new GbnfRecognizer(ProposalGrammar.Build(allowed, Context(stableWeight: 75)));

        for (var stable = 0; stable <= 100; stable++)
        {
            var output = ProposalJson.Serialize(Shift(stable, 100 - stable));
            var expected = stable is >= 60 and <= 95; // floor 60; 75 ± 20 capped at 95
            Assert.Equal(expected, grammar.Accepts(output));
            Assert.Equal(expected, ProposalParser.Parse(output, allowed, Context(stableWeight: 75)).IsSuccess);
        }
    }

    [Fact]
    public void Rate_limit_bounds_from_the_sop_are_in_the_grammar()
    {
        AllowedAction[] allowed = [new(ActionNames.SetRateLimit, MinRequestsPerSecond: 50, MaxRequestsPerSecond: 1200)];
        var grammar = new GbnfRecognizer(ProposalGrammar.Build(allowed, Context()));

        foreach (var rps in new[] { 0, 1, 49, 50, 51, 99, 100, 999, 1000, 1199, 1200, 1201, 9999, 12000 })
        {
            var output = ProposalJson.Serialize(new SetRateLimit("shop/checkout", rps, "surge"));
            Assert.Equal(rps is >= 50 and <= 1200, grammar.Accepts(output));
        }
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(0, 0)]
    [InlineData(7, 7)]
    [InlineData(3, 42)]
    [InlineData(10, 99)]
    [InlineData(19, 1234)]
    [InlineData(1, 1_000_000)]
    [InlineData(987, 3001)]
    [InlineData(10, 30)]
    [InlineData(100, 199)]
    [InlineData(105, 2099)]
    public void Integer_ranges_admit_exactly_their_numbers(int min, int max)
    {
        var grammar = new GbnfRecognizer("root ::= " + GbnfText.IntegerRange(min, max));
        var probes = Enumerable.Range(0, 3100).Concat([max - 1, max, max + 1, 999_999, 1_000_000, 1_000_001]);

        foreach (var n in probes.Where(n => n >= 0))
            Assert.True((n >= min && n <= max) == grammar.Accepts(n.ToString(CultureInfo.InvariantCulture)), $"{n} in {min}..{max}");
        Assert.False(grammar.Accepts("0" + max.ToString(CultureInfo.InvariantCulture)));
        Assert.False(grammar.Accepts(""));
    }

    [Fact]
    public void Grammar_uses_llama_cpp_syntax_only()
    {
        var text = ProposalGrammar.Build(Everything, Context(stableWeight: 90));
        var grammar = new GbnfRecognizer(text);

        Assert.Contains("root", grammar.RuleNames);
        Assert.All(grammar.RuleNames, name => Assert.Matches("^[a-z0-9-]+$", name));
        // llama.cpp caps repetition expansions at 2000 helper rules.
        foreach (Match m in Regex.Matches(text, @"\{(\d+),(\d+)\}"))
            Assert.True(int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) < 2000);
        Assert.StartsWith("#", text);
    }

    [Fact]
    public void Isolation_targets_exclude_the_stable_backend()
    {
        var grammar = new GbnfRecognizer(ProposalGrammar.Build([new AllowedAction(ActionNames.IsolateBackend)], Context()));

        Assert.True(grammar.Accepts(ProposalJson.Serialize(new IsolateBackend("shop/checkout", Canary, "bad"))));
        Assert.False(grammar.Accepts(ProposalJson.Serialize(new IsolateBackend("shop/checkout", Stable, "bad"))));
    }

    [Theory]
    [InlineData(null, 70, "checkout-v2,checkout-v3")]
    [InlineData(null, 69, "checkout-v2")]  // isolating v3 moves it by 70 points
    [InlineData(22, null, "checkout-v2,checkout-v3")]
    [InlineData(23, null, "checkout-v3")]  // isolating v2 leaves v1 at 22
    [InlineData(23, 69, "")]
    public void Isolation_targets_respect_the_sops_bounds_from_current_weights(int? floor, int? step, string expected)
    {
        // v1 (stable) 20, v2 10, v3 70: isolating v2 gives 22/0/78, isolating v3 gives 67/33/0.
        var context = new ProposalContext("shop/checkout", [Stable, Canary, "checkout-v3"], Stable,
            new Dictionary<string, int> { [Stable] = 20, [Canary] = 10, ["checkout-v3"] = 70 });
        AllowedAction[] allowed = [new(ActionNames.IsolateBackend, MaxStepPercent: step, MinStableWeight: floor), new(ActionNames.Escalate)];
        var grammar = new GbnfRecognizer(ProposalGrammar.Build(allowed, context));

        foreach (var backend in new[] { Canary, "checkout-v3" })
        {
            var output = ProposalJson.Serialize(new IsolateBackend("shop/checkout", backend, "crash loop"));
            var admitted = expected.Split(',').Contains(backend);
            Assert.Equal(admitted, grammar.Accepts(output));
            var parsed = ProposalParser.Parse(output, allowed, context);
            Assert.Equal(admitted, parsed.IsSuccess);
            if (!admitted) Assert.Equal(expected == "" ? "action" : "backend", parsed.Error!.Field);
        }
    }

    [Fact]
    public void Nothing_expressible_is_an_argument_error_naming_why()
    {
        var noStable = new ProposalContext("shop/checkout", [Stable, Canary], null);

        var e = Assert.Throws<ArgumentException>(() => ProposalGrammar.Build([new AllowedAction(ActionNames.RollbackCanary)], noStable));
        Assert.Contains("no stable backend", e.Message);
        Assert.Throws<ArgumentException>(() => ProposalGrammar.Build([new AllowedAction("reboot_cluster")], Context()));
        Assert.Throws<ArgumentException>(() => ProposalJsonSchema.For([], Context()));
    }

    [Fact]
    public void Without_a_route_only_escalate_and_no_action_can_be_expressed()
    {
        var noRoute = new ProposalContext("", [], null);
        AllowedAction[] allowed = [new(ActionNames.RollbackCanary), new(ActionNames.ShiftTraffic), new(ActionNames.Escalate)];

        var grammar = new GbnfRecognizer(ProposalGrammar.Build(allowed, noRoute));

        Assert.True(grammar.Accepts("""{"action":"escalate","reason":"route unreadable"}"""));
        Assert.False(grammar.Accepts("""{"action":"rollback_canary","route":"","reason":"x"}"""));
        var parsed = ProposalParser.Parse("""{"action":"rollback_canary","route":"","reason":"x"}""", allowed, noRoute);
        Assert.Equal("action", parsed.Error!.Field);
        Assert.Contains("no route", parsed.Error.Message);
        Assert.Throws<ArgumentException>(() => ProposalGrammar.Build([new AllowedAction(ActionNames.RollbackCanary)], noRoute));
    }

    [Fact]
    public void The_grammar_shown_in_the_policy_reference_is_what_the_generator_writes()
    {
        AllowedAction[] allowed =
        [
            new(ActionNames.ShiftTraffic, MaxStepPercent: 5, MinStableWeight: 50),
            new(ActionNames.RollbackCanary),
            new(ActionNames.SetRateLimit, MinRequestsPerSecond: 50, MaxRequestsPerSecond: 1200),
            new(ActionNames.Escalate),
        ];
        var docs = File.ReadAllText(Policies.PolicySetTests.RepositoryPath("docs/policy.md")).ReplaceLineEndings("\n");

        Assert.Contains(ProposalGrammar.Build(allowed, Context(stableWeight: 90)), docs);
    }

    [Fact]
    public void Json_schema_lists_the_same_actions_and_bounds()
    {
        AllowedAction[] allowed =
        [
            new(ActionNames.ShiftTraffic, MinStableWeight: 60),
            new(ActionNames.SetRateLimit, MaxRequestsPerSecond: 900),
            new(ActionNames.Escalate),
        ];

        using var schema = JsonDocument.Parse(ProposalJsonSchema.For(allowed, Context()));
        var variants = schema.RootElement.GetProperty("oneOf").EnumerateArray().ToArray();

        Assert.Equal([ActionNames.ShiftTraffic, ActionNames.SetRateLimit, ActionNames.Escalate],
            variants.Select(v => v.GetProperty("properties").GetProperty("action").GetProperty("const").GetString()));
        var weights = variants[0].GetProperty("properties").GetProperty("weights").GetProperty("properties");
        Assert.Equal(60, weights.GetProperty(Stable).GetProperty("minimum").GetInt32());
        Assert.Equal("shop/checkout", variants[0].GetProperty("properties").GetProperty("route").GetProperty("const").GetString());
        Assert.Equal(900, variants[1].GetProperty("properties").GetProperty("requests_per_second").GetProperty("maximum").GetInt32());
        Assert.All(variants, v => Assert.False(v.GetProperty("additionalProperties").GetBoolean()));
        Assert.Equal(ProposalLimits.MaxReasonLength, variants[2].GetProperty("properties").GetProperty("reason").GetProperty("maxLength").GetInt32());
    }

    [Fact]
    public void With_subjects_every_reason_starts_with_one_of_them_spelled_exactly()
    {
        var context = Context() with { Subjects = [Canary, Stable, "payments-db", "bad\"quote"] };
        var grammar = new GbnfRecognizer(ProposalGrammar.Build(Everything, context));
        var random = new Random(7);

        for (var i = 0; i < 40; i++)
        {
            var output = grammar.Sample(random);
            var reason = JsonDocument.Parse(output).RootElement.GetProperty("reason").GetString()!;
            Assert.True(new[] { Canary, Stable, "payments-db" }.Any(s => reason.StartsWith(s, StringComparison.Ordinal)), reason);
            Assert.True(ProposalParser.Parse(output, Everything, context).IsSuccess, output);
        }
        Assert.True(grammar.Accepts("""{"action":"escalate","reason":"payments-db down"}"""));
        Assert.False(grammar.Accepts("""{"action":"escalate","reason":"the database is down"}"""));
        // A subject JSON would have to escape is left out rather than written wrong.
        Assert.DoesNotContain("quote", ProposalGrammar.Build(Everything, context));
    }

    [Fact]
    public void A_subject_out_of_bounds_is_followed_by_its_signal_and_the_stable_one_is_marked()
    {
        var context = Context() with
        {
            Subjects = [Canary, Stable, "payments-db"],
            SubjectSignals = new Dictionary<string, IReadOnlyList<string>> { [Canary] = ["err", "restarts"], [Stable] = ["err"] },
        };
        var grammar = new GbnfRecognizer(ProposalGrammar.Build(Everything, context));

        Assert.True(grammar.Accepts("""{"action":"rollback_canary","route":"shop/checkout","reason":"checkout-v2 err out of bounds (>5%)"}"""));
        Assert.True(grammar.Accepts("""{"action":"rollback_canary","route":"shop/checkout","reason":"checkout-v2 restarts"}"""));
        Assert.True(grammar.Accepts("""{"action":"escalate","reason":"checkout-v1 (stable) err out of bounds too"}"""));
        Assert.True(grammar.Accepts("""{"action":"escalate","reason":"payments-db down"}"""));
        Assert.False(grammar.Accepts("""{"action":"rollback_canary","route":"shop/checkout","reason":"checkout-v2 p99 out of bounds"}"""));
        Assert.False(grammar.Accepts("""{"action":"rollback_canary","route":"shop/checkout","reason":"checkout-v2 is bad"}"""));
        Assert.False(grammar.Accepts("""{"action":"escalate","reason":"checkout-v1 err out of bounds"}"""));
        var random = new Random(11);
        for (var i = 0; i < 40; i++)
        {
            var output = grammar.Sample(random);
            Assert.True(ProposalParser.Parse(output, Everything, context).IsSuccess, output);
            Assert.True(System.Text.Encoding.UTF8.GetByteCount(output) <= ProposalGrammar.LongestAnswer(Everything, context), output);
        }
    }

    [Fact]
    public void Without_subjects_the_reason_is_free_text()
    {
        var grammar = new GbnfRecognizer(ProposalGrammar.Build(Everything, Context()));
        Assert.True(grammar.Accepts("""{"action":"escalate","reason":"the database is down"}"""));
    }
}
