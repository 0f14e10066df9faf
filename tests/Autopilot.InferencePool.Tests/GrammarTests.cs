using System.Text.Json;
using Autopilot.InferencePool.Client;
using Autopilot.InferencePool.Engine;
using Autopilot.InferencePool.Engine.Grammars;

namespace Autopilot.InferencePool.Tests;

public sealed class GrammarTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    private InferencePoolEngine Engine => fixture.Engine;

    private async Task<CompletionResult> RunAsync(CompletionRequest request)
    {
        var lease = await Engine.LeaseAsync("planner", default);
        try
        {
            return await Engine.CompleteAsync("planner", lease.LeaseId, request, default);
        }
        finally
        {
            Engine.Release("planner", lease.LeaseId);
        }
    }

    [Fact]
    public async Task Grammar_constrained_output_parses_every_time()
    {
        // Hot sampling over many seeds, four sessions at a time: the grammar, not luck, must make it parse.
        var results = new List<CompletionResult>();
        for (var round = 0; round < 10; round++)
        {
            results.AddRange(await Task.WhenAll(Enumerable.Range(0, 4).Select(i => RunAsync(GenerationTests.Request(
                $"incident {round}-{i}: canary errors", grammar: ProposalGrammar.Gbnf, maxTokens: 200, seed: round * 4 + i, temperature: 1.5f)))));
        }

        Assert.Equal(40, results.Count);
        foreach (var result in results)
        {
            Assert.Equal(FinishReasons.Stop, result.FinishReason);
            using var json = JsonDocument.Parse(result.Text);
            Assert.Contains(json.RootElement.GetProperty("action").GetString(), ProposalGrammar.Actions);
            Assert.InRange(json.RootElement.GetProperty("weight").GetInt32(), 0, 100);
        }
        Assert.True(results.Select(r => r.Text).Distinct().Count() > 1, "different seeds should give different proposals");
    }

    [Fact]
    public async Task Json_schema_constrained_output_has_exactly_the_required_properties()
    {
        for (var seed = 0; seed < 5; seed++)
        {
            var result = await RunAsync(GenerationTests.Request("propose", maxTokens: 200, seed: seed, temperature: 1f) with
            {
                JsonSchema = ProposalGrammar.JsonSchema,
            });

            Assert.Equal(FinishReasons.Stop, result.FinishReason);
            using var json = JsonDocument.Parse(result.Text);
            var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Equal(["action", "weight", "dry_run", "reason"], names);
            var reason = json.RootElement.GetProperty("reason").GetString()!;
            Assert.True(reason.EnumerateRunes().Count() <= 20, $"reason of {reason.EnumerateRunes().Count()} characters in {result.Text}");
            Assert.Contains(json.RootElement.GetProperty("dry_run").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        }
    }

    [Fact]
    public async Task Invalid_grammar_is_refused_before_it_reaches_the_model()
    {
        var error = await Assert.ThrowsAsync<PoolRequestException>(() =>
            RunAsync(GenerationTests.Request("x", grammar: "root ::= value\n")));

        Assert.Equal("grammar", error.Field);
        Assert.Contains("undefined rule 'value'", error.Message);
    }

    [Theory]
    [InlineData("root ::= \"a\" root2\n", "undefined rule 'root2'")]
    [InlineData("start ::= \"a\"\n", "no rule named 'root'")]
    [InlineData("root ::= root \"a\" | \"b\"\n", "left-recursive")]
    [InlineData("root ::= x\nx ::= \"\"? root\n", "left-recursive")]
    [InlineData("root ::= \"a\n", "unterminated")]
    [InlineData("root ::= (\"a\" | \"b\"\n", "expected ')'")]
    public void Grammar_problems_are_named(string gbnf, string expected)
    {
        Assert.Contains(expected, GbnfValidator.Check(gbnf));
    }

    [Fact]
    public void Sound_grammars_pass_the_check()
    {
        Assert.Null(GbnfValidator.Check(ProposalGrammar.Gbnf));
        Assert.Null(GbnfValidator.Check(JsonSchemaGrammar.Convert(ProposalGrammar.JsonSchema)));
        Assert.Null(GbnfValidator.Check("root ::= item (\",\" item)*\nitem ::= [a-z]+ # a comment\n"));
    }

    [Theory]
    [InlineData("""{"type":"string","pattern":"^a"}""", "pattern")]
    [InlineData("""{"$ref":"#/defs/x"}""", "$ref")]
    [InlineData("not json", "not valid JSON")]
    public void Json_schema_features_a_grammar_cannot_enforce_are_refused(string schema, string expected)
    {
        var error = Assert.Throws<PoolRequestException>(() => JsonSchemaGrammar.Convert(schema));
        Assert.Equal("jsonSchema", error.Field);
        Assert.Contains(expected, error.Message);
    }
}

public sealed class StringPatternTests
{
    [Theory]
    [InlineData("^[a-z][a-z0-9-]*$", 1, 10, "[a-z] [\\x2D0-9a-z]{0,9}")]
    [InlineData("^[!#-\\[\\]-~][ !#-\\[\\]-~]*$", 1, 160, "[\\x21\\x23-\\x5B\\x5D-\\x7E] [ -\\x21\\x23-\\x5B\\x5D-\\x7E]{0,159}")]
    [InlineData("^v[0-9]+$", 0, null, "\"v\" [0-9]+")]
    public void Character_class_patterns_become_exact_grammar(string pattern, int minLength, int? maxLength, string expected)
    {
        Assert.Equal(expected, StringPattern.ToGbnf(pattern, minLength, maxLength, "#"));
        Assert.Null(GbnfValidator.Check($"root ::= {expected}\n"));
    }

    [Theory]
    [InlineData("^[^x]+$", "negated")]
    [InlineData("^[a-z\"]+$", "JSON escaping")]
    [InlineData("^(a|b)$", "beyond")]
    [InlineData("^\\d+$", "beyond")]
    [InlineData("[a-z]+", "anchored")]
    public void Patterns_a_grammar_cannot_enforce_exactly_are_refused(string pattern, string expected)
    {
        var error = Assert.Throws<PoolRequestException>(() => StringPattern.ToGbnf(pattern, 0, null, "#"));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("root ::= \"a\\-b\"\n", "unknown escape")]
    [InlineData("root ::= [\\q]\n", "unknown escape")]
    [InlineData("root ::= \"\\x4\"\n", "hex digits")]
    public void Escapes_llama_cpp_does_not_know_are_refused(string gbnf, string expected)
    {
        Assert.Contains(expected, GbnfValidator.Check(gbnf));
    }
}
