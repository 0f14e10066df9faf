using Autopilot.InferencePool.Client;
using Autopilot.InferencePool.Engine;
using Autopilot.InferencePool.Engine.Grammars;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Proposals;
using DomainGrammar = Autopilot.Remediation.Proposals.ProposalGrammar;

namespace Autopilot.InferencePool.Tests;

/// <summary>The planner's real grammar and schema, through the pool, accepted by the domain's own parser every time.</summary>
public sealed class DomainProposalTests : IAsyncLifetime
{
    private static readonly AllowedAction[] Allowed =
    [
        new(ActionNames.ShiftTraffic, MaxStepPercent: 25, MinStableWeight: 50),
        new(ActionNames.RollbackCanary),
        new(ActionNames.IsolateBackend),
        new(ActionNames.SetRateLimit, MinRequestsPerSecond: 10, MaxRequestsPerSecond: 500),
        new(ActionNames.Escalate),
        new(ActionNames.NoAction),
    ];

    private static readonly ProposalContext Context = new("shop/checkout", ["checkout-v1", "checkout-v2"], "checkout-v1",
        new Dictionary<string, int> { ["checkout-v1"] = 80, ["checkout-v2"] = 20 });

    private InferencePoolEngine _engine = null!;

    public async Task InitializeAsync() =>
        _engine = await TestModel.LoadAsync(o => { o.ContextSize = 1024; o.MaxOutputTokens = 512; });

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    private async Task<CompletionResult> RunAsync(CompletionRequest request)
    {
        var lease = await _engine.LeaseAsync("autopilot-actors", default);
        try
        {
            return await _engine.CompleteAsync("autopilot-actors", lease.LeaseId, request, default);
        }
        finally
        {
            _engine.Release("autopilot-actors", lease.LeaseId);
        }
    }

    private static CompletionRequest Request(int seed) => GenerationTests.Request(
        "CanaryHighErrorRate on shop/checkout: checkout-v2 5xx ratio 0.31", maxTokens: 500, seed: seed, temperature: 1.2f);

    [Fact]
    public async Task Domain_grammar_output_is_always_accepted_by_the_domain_parser()
    {
        var grammar = DomainGrammar.Build(Allowed, Context);
        Assert.Null(GbnfValidator.Check(grammar));

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(seed => RunAsync(Request(seed) with { Grammar = grammar })));

        foreach (var result in results)
        {
            Assert.Equal(FinishReasons.Stop, result.FinishReason);
            var parsed = ProposalParser.Parse(result.Text, Allowed, Context);
            Assert.True(parsed.IsSuccess, $"{parsed.Error} in {result.Text}");
        }
    }

    [Fact]
    public async Task Domain_json_schema_output_is_always_accepted_by_the_domain_parser()
    {
        var schema = ProposalJsonSchema.For(Allowed, Context);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(seed => RunAsync(Request(100 + seed) with { JsonSchema = schema })));

        foreach (var result in results)
        {
            Assert.Equal(FinishReasons.Stop, result.FinishReason);
            var parsed = ProposalParser.Parse(result.Text, Allowed, Context);
            // JSON Schema cannot say "the weights sum to 100" (the GBNF grammar can, which is why the planner sends
            // the grammar); every other rule of the schema holds.
            var onlySumMissed = parsed.Error is { Field: "weights" } error && error.Message.Contains("sum to 100");
            Assert.True(parsed.IsSuccess || onlySumMissed, $"{parsed.Error} in {result.Text}");
        }
    }
}
