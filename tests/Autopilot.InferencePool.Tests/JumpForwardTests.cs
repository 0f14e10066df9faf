using System.Diagnostics.Metrics;
using System.Text;
using Autopilot.InferencePool.Client;
using Autopilot.InferencePool.Engine;
using Autopilot.InferencePool.Engine.Decoding;
using Autopilot.InferencePool.Engine.Telemetry;
using LLama;
using LLama.Common;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.InferencePool.Tests;

public sealed class JumpForwardTests
{
    /// <summary>Keys, punctuation and the route are pinned; the action and the reason are the model's.</summary>
    private const string PinnedGrammar = """
        root ::= "{\"action\":\"" ("rollback" | "escalate") "\",\"route\":\"shop/checkout\",\"reason\":\"" [a-z ]{1,12} "\"}"
        """;

    [Theory]
    [InlineData("{\"action\":\"rollback", "\",\"route\":\"shop/x\",\"reason\":\"", false, "\",\"route\":\"shop/x\",\"reason\":\"")]
    [InlineData("\"reason\":\"", "storm-052-v2 err", false, "storm-052-")]
    [InlineData("\"reason\":\"x", "yz\"}", false, "")]
    [InlineData("\"reason\":\"a ", "err", false, "")]
    [InlineData("{\"a\":1", ",\"b\":\"xyz\"}", true, ",\"b\":\"xyz\"}")]
    [InlineData("{\"a\":", "rollback", false, "")]
    [InlineData("", "{\"action\":\"", false, "{\"action\":\"")]
    public void Forced_text_is_cut_where_the_model_would_split_it_too(string written, string forced, bool whole, string expected) =>
        Assert.Equal(expected, ForcedText.Appendable(new StringBuilder(written), forced, whole));

    [Fact]
    public void Lookahead_finds_the_text_the_grammar_forces_and_stops_where_the_model_chooses()
    {
        using var weights = LLamaWeights.LoadFromFile(new ModelParams(TestModel.Path_));
        var alphabet = GrammarLookahead.Alphabet.For(weights);
        Assert.NotNull(alphabet);
        using var lookahead = GrammarLookahead.Create(weights, alphabet, PinnedGrammar)!;

        Assert.Equal(("{\"action\":\"", GrammarLookahead.Stop.Choice), lookahead.Forced(256));
        Assert.Equal(("{\"ac", GrammarLookahead.Stop.Limit), lookahead.Forced(4));

        // One token per character (tokenizing would add SentencePiece's word-start marker, which the grammar refuses).
        void Write(string text)
        {
            foreach (var c in text) lookahead.Accept(alphabet.Tokens[Array.IndexOf(alphabet.Chars, c)]);
        }
        Write("{\"action\":\"esc");
        Assert.Equal(("alate\",\"route\":\"shop/checkout\",\"reason\":\"", GrammarLookahead.Stop.Choice), lookahead.Forced(256));
        Assert.True(lookahead.Admits([alphabet.Tokens[Array.IndexOf(alphabet.Chars, 'a')]]));
        Assert.False(lookahead.Admits([alphabet.Tokens[Array.IndexOf(alphabet.Chars, 'x')]]));

        Write("alate\",\"route\":\"shop/checkout\",\"reason\":\"abcdefghijkl");
        Assert.Equal(("\"}", GrammarLookahead.Stop.End), lookahead.Forced(256));
    }

    [Fact]
    public async Task Jump_forward_appends_the_pinned_text_and_needs_fewer_model_steps()
    {
        var (jumping, jumpingMetrics) = await LoadAsync(jumpForward: true);
        var (sampling, samplingMetrics) = await LoadAsync(jumpForward: false);
        await using (jumping)
        await using (sampling)
        {
            foreach (var (prompt, temperature) in new[] { ("checkout-v2 answers 40% 5xx", 0f), ("p99 latency doubled", 0.8f), ("certificate expires", 1.5f) })
            {
                var request = GenerationTests.Request(prompt, grammar: PinnedGrammar, maxTokens: 120, temperature: temperature);
                foreach (var result in new[] { await RunAsync(jumping, request), await RunAsync(sampling, request) })
                {
                    // Reading forced text in one batch may change the model's later choices by rounding, never the shape.
                    Assert.Equal(FinishReasons.Stop, result.FinishReason);
                    Assert.Matches("^\\{\"action\":\"(rollback|escalate)\",\"route\":\"shop/checkout\",\"reason\":\"[a-z ]{1,12}\"\\}$", result.Text);
                    Assert.Equal(result.Text.Length, result.CompletionTokens); // the smoke model's tokens are characters
                }
            }
        }
        Assert.Equal(0, samplingMetrics.Forced);
        Assert.True(jumpingMetrics.Forced >= 3 * "\",\"route\":\"shop/checkout\",\"reason\":\"".Length,
            $"forced {jumpingMetrics.Forced} tokens; each answer forces at least the route and the keys");
        Assert.True(jumpingMetrics.BatchSteps < samplingMetrics.BatchSteps / 2,
            $"{jumpingMetrics.BatchSteps} decode steps with jump-forward, {samplingMetrics.BatchSteps} without");
    }

    private static async Task<CompletionResult> RunAsync(InferencePoolEngine engine, CompletionRequest request)
    {
        var lease = await engine.LeaseAsync("planner", default);
        try
        {
            return await engine.CompleteAsync("planner", lease.LeaseId, request, default);
        }
        finally
        {
            engine.Release("planner", lease.LeaseId);
        }
    }

    private static async Task<(InferencePoolEngine Engine, MeterReadings Readings)> LoadAsync(bool jumpForward)
    {
        var readings = new MeterReadings();
        var engine = await InferencePoolEngine.LoadAsync(TestModel.Options(o => o.JumpForward = jumpForward), NullLoggerFactory.Instance,
            new PoolMetrics(readings));
        readings.Reset(); // the speed measurement at load decodes too
        return (engine, readings);
    }

    /// <summary>Meters of one engine only (tests of other classes run at the same time on meters of the same name).</summary>
    private sealed class MeterReadings : IMeterFactory
    {
        private readonly MeterListener _listener = new();
        private long _forced;
        private long _steps;

        public MeterReadings()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, this)) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                if (instrument.Name == "autopilot.pool.tokens.forced") Interlocked.Add(ref _forced, value);
            });
            _listener.SetMeasurementEventCallback<int>((instrument, _, _, _) =>
            {
                if (instrument.Name == "autopilot.pool.decode.batch.sessions") Interlocked.Increment(ref _steps);
            });
            _listener.Start();
        }

        public long Forced => Interlocked.Read(ref _forced);
        public long BatchSteps => Interlocked.Read(ref _steps);

        public void Reset()
        {
            Interlocked.Exchange(ref _forced, 0);
            Interlocked.Exchange(ref _steps, 0);
        }

        public Meter Create(MeterOptions options) => new(new MeterOptions(options.Name) { Version = options.Version, Scope = this });

        public void Dispose() => _listener.Dispose();
    }
}
