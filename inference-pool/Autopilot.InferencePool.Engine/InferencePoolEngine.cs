using System.Text;
using Autopilot.InferencePool.Client;
using Autopilot.InferencePool.Engine.Decoding;
using Autopilot.InferencePool.Engine.Grammars;
using Autopilot.InferencePool.Engine.Leases;
using Autopilot.InferencePool.Engine.Models;
using Autopilot.InferencePool.Engine.Options;
using Autopilot.InferencePool.Engine.Prompting;
using Autopilot.InferencePool.Engine.Telemetry;
using LLama;
using LLama.Common;
using LLama.Exceptions;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Autopilot.InferencePool.Engine;

/// <summary>
/// The loaded model behind the pool: leases, prompt rendering and validation, and the batch scheduler. The HTTP host
/// and the in-process adapter both call this; every method takes the caller identity that owns the lease.
/// </summary>
public sealed class InferencePoolEngine : IAsyncDisposable
{
    private readonly PoolOptions _options;
    private readonly LLamaWeights _weights;
    private readonly BatchScheduler _scheduler;
    private readonly PromptEncoder _prompts;
    private readonly TimeProvider _time;

    private InferencePoolEngine(PoolOptions options, LLamaWeights weights, GgufInfo info, string modelPath, PoolMetrics metrics,
        ILoggerFactory loggers, TimeProvider time, ModelParams contextParams)
    {
        _options = options;
        _weights = weights;
        _time = time;
        ModelName = info.Name;
        ModelPath = modelPath;
        _prompts = new PromptEncoder(weights, options.PromptTemplate, info.Name, loggers.CreateLogger<PromptEncoder>());
        Leases = new LeaseManager(options, time, metrics, loggers.CreateLogger<LeaseManager>());
        _scheduler = new BatchScheduler(weights, contextParams, options.PrefixReuse, options.MaxCachedPrefixes,
            prefixTokenBudget: options.ContextSize, metrics, loggers.CreateLogger<BatchScheduler>(), time, options.JumpForward);
    }

    public string ModelName { get; }
    public string ModelPath { get; }
    public string PromptTemplateName => _prompts.TemplateName;

    /// <summary>Measured at load; null until then (or when measuring failed, then requests keep DefaultDeadlineMs).</summary>
    public ModelSpeed? Speed { get; private set; }
    public LeaseManager Leases { get; }

    public PoolStatus Status => new(ModelName, true, _options.MaxConcurrentSessions, Leases.ActiveCount, Leases.QueuedCount, _options.QueueLimit);

    /// <summary>Checks, sizes and loads the model; every failure is a <see cref="ModelLoadException"/> that says what to fix.</summary>
    public static async Task<InferencePoolEngine> LoadAsync(PoolOptions options, ILoggerFactory loggers, PoolMetrics metrics,
        TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var logger = loggers.CreateLogger<InferencePoolEngine>();
        NativeLlamaLog.Attach(loggers.CreateLogger("LLama.Native"));
        var path = BuiltinModels.ResolvePath(options);
        GgufInfo info;
        try
        {
            info = GgufFile.Read(path);
        }
        catch (InvalidDataException e)
        {
            throw new ModelLoadException($"{PoolOptions.Section}:ModelPath '{path}' cannot be used: {e.Message}", e);
        }

        var totalCells = options.ContextSize * (options.MaxConcurrentSessions + 1);
        var kvBytes = EstimateKvBytes(info, totalCells);
        if (kvBytes is { } bytes && bytes > (long)options.KvCacheBudgetMb << 20)
            throw new ModelLoadException(
                $"The KV cache for {PoolOptions.Section}:ContextSize={options.ContextSize} × (MaxConcurrentSessions={options.MaxConcurrentSessions} + 1) " +
                $"needs {bytes >> 20} MiB with this model, over {PoolOptions.Section}:KvCacheBudgetMb={options.KvCacheBudgetMb}; " +
                "lower ContextSize or MaxConcurrentSessions, or raise the budget.");
        if (info.Number("context_length") is { } trained && options.ContextSize > trained)
            logger.LogWarning("ContextSize {ContextSize} exceeds the {Trained} tokens {Model} was trained for; quality may drop",
                options.ContextSize, trained, info.Name);

        var parameters = new ModelParams(path)
        {
            ContextSize = (uint)totalCells,
            BatchSize = (uint)Math.Max(options.ContextSize, 512),
            UBatchSize = 512,
            // A cancelled completion drains for one step while its session may already start the next one: headroom.
            SeqMax = (uint)Math.Min(256, 2 * options.MaxConcurrentSessions + options.MaxCachedPrefixes),
            // One shared pool of KV cells: forked sessions reference the prefix's cells instead of copying them.
            KVUnified = true,
            Threads = options.EffectiveThreads,
            BatchThreads = options.EffectiveThreads,
            GpuLayerCount = 0,
        };
        LLamaWeights weights;
        try
        {
            weights = await LLamaWeights.LoadFromFileAsync(parameters, cancellationToken);
        }
        catch (LoadWeightsFailedException e)
        {
            throw new ModelLoadException(
                $"{PoolOptions.Section}:ModelPath '{path}' is a GGUF file but llama.cpp could not load it (corrupt, or an architecture this " +
                "llama.cpp build does not know); see the llama.cpp log lines above.", e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ModelLoadException($"{PoolOptions.Section}:ModelPath '{path}' could not be loaded: {e.Message}", e);
        }

        logger.LogInformation(
            "Loaded {Model} from {Path}: {Sessions} sessions × {ContextSize} tokens, KV cache ≈ {KvMb} MiB, {Threads} threads, prefix reuse {PrefixReuse}",
            info.Name, path, options.MaxConcurrentSessions, options.ContextSize, (kvBytes ?? 0) >> 20, options.EffectiveThreads, options.PrefixReuse);
        var engine = new InferencePoolEngine(options, weights, info, path, metrics, loggers, time ?? TimeProvider.System, parameters);
        engine.Speed = await engine.MeasureSpeedAsync(logger, cancellationToken);
        return engine;
    }

    /// <summary>Times one short prompt read and a few generated tokens through the scheduler, as requests run.</summary>
    private async Task<ModelSpeed?> MeasureSpeedAsync(ILogger logger, CancellationToken ct)
    {
        const int generated = 16;
        try
        {
            var prompt = _prompts.Tokenize(string.Join(' ', Enumerable.Repeat("The quick brown fox jumps over the lazy dog.", 12)), addBos: true)
                .Take(Math.Min(128, _options.ContextSize - generated - 1)).ToArray();
            async Task<TimeSpan> Run(int maxTokens)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await _scheduler.GenerateAsync(new GenerationRequest("", [], prompt, maxTokens, 0f, 1, null, _time.GetUtcNow().AddMinutes(5), ct));
                return System.Diagnostics.Stopwatch.GetElapsedTime(started);
            }
            await Run(1); // first call pays one-time native set-up
            var read = await Run(1);
            var written = await Run(generated + 1);
            var perToken = Math.Max(1e-5, (written - read).TotalSeconds / generated);
            var speed = new ModelSpeed(prompt.Length / Math.Max(1e-5, read.TotalSeconds), 1 / perToken);
            logger.LogInformation("Measured {Model}: reads {PromptRate:0} prompt tokens/s, writes {GenerationRate:0} tokens/s; " +
                "a planning prompt of 300 tokens and 160 output tokens, with every session busy, gets a {Deadline} ms deadline unless the request names one",
                ModelName, speed.PromptTokensPerSecond, speed.GenerationTokensPerSecond, speed.DeadlineMs(300, 160, _options.DefaultDeadlineMs, _options.MaxConcurrentSessions));
            return speed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not measure the speed of {Model}; requests without a deadline get {Deadline} ms", ModelName, _options.DefaultDeadlineMs);
            return null;
        }
    }

    /// <summary>K and V in f16 for every layer and cell; null when the model does not state its shape.</summary>
    public static long? EstimateKvBytes(GgufInfo info, long cells)
    {
        if (info.Number("block_count") is not { } layers || info.Number("embedding_length") is not { } embedding
            || info.Number("attention.head_count") is not { } heads || heads == 0)
            return null;
        var kvHeads = info.Number("attention.head_count_kv") ?? heads;
        var keyLength = info.Number("attention.key_length") ?? embedding / heads;
        var valueLength = info.Number("attention.value_length") ?? embedding / heads;
        return layers * cells * kvHeads * (keyLength + valueLength) * 2;
    }

    public async Task<SessionLease> LeaseAsync(string caller, CancellationToken cancellationToken) =>
        await LeaseAsync(caller, null, cancellationToken);

    /// <summary>Borrows a session, waiting at most <paramref name="maxWait"/> (capped by InferencePool:QueueTimeoutSeconds).</summary>
    public async Task<SessionLease> LeaseAsync(string caller, TimeSpan? maxWait, CancellationToken cancellationToken)
    {
        var lease = await Leases.AcquireAsync(caller, maxWait, cancellationToken);
        return new SessionLease(lease.Id, lease.ExpiresAt, _options.LeaseTtlSeconds);
    }

    public bool Release(string caller, string leaseId) => Leases.Release(leaseId, caller);

    public async Task<CompletionResult> CompleteAsync(string caller, string leaseId, CompletionRequest request, CancellationToken cancellationToken)
    {
        var (lease, revoked) = Leases.BeginCompletion(leaseId, caller);
        try
        {
            var generation = Prepare(request, revoked, cancellationToken, out var linked);
            using (linked)
                return await _scheduler.GenerateAsync(generation);
        }
        catch (OperationCanceledException) when (revoked.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new LeaseNotFoundException(leaseId);
        }
        finally
        {
            Leases.EndCompletion(lease);
        }
    }

    /// <summary>Tokens the model's tokenizer makes of <paramref name="text"/> (no BOS).</summary>
    public int CountTokens(string text) => _prompts.Tokenize(text, addBos: false).Length;

    private GenerationRequest Prepare(CompletionRequest request, CancellationToken revoked, CancellationToken cancellationToken,
        out CancellationTokenSource linked)
    {
        if (request.Grammar is not null && request.JsonSchema is not null)
            throw new PoolRequestException("grammar", "give either grammar or jsonSchema, not both.");
        var maxTokens = request.MaxTokens ?? _options.DefaultMaxTokens;
        if (maxTokens < 1 || maxTokens > _options.MaxOutputTokens)
            throw new PoolRequestException("maxTokens", $"is {maxTokens}; it must be between 1 and {_options.MaxOutputTokens}.");
        var temperature = request.Temperature ?? 0f;
        if (!float.IsFinite(temperature) || temperature < 0 || temperature > 2)
            throw new PoolRequestException("temperature", $"is {temperature}; it must be between 0 (greedy) and 2.");
        if (request.DeadlineMs is < 1 or > 3_600_000)
            throw new PoolRequestException("deadlineMs", $"is {request.DeadlineMs}; it must be between 1 and 3600000.");

        var grammar = request.JsonSchema is { } schema ? JsonSchemaGrammar.Convert(schema) : request.Grammar;
        if (grammar is not null && GbnfValidator.Check(grammar) is { } problem)
            throw new PoolRequestException(request.JsonSchema is null ? "grammar" : "jsonSchema", $"is not a usable GBNF grammar: {problem}");

        var prompt = _prompts.Encode(request.Messages);
        var promptTokens = prompt.Count;
        // No deadline named: what this model needs for this prompt on this machine, never more than the default.
        var deadlineMs = request.DeadlineMs ?? Speed?.DeadlineMs(promptTokens, maxTokens, _options.DefaultDeadlineMs, _options.MaxConcurrentSessions) ?? _options.DefaultDeadlineMs;
        if (promptTokens + maxTokens > _options.ContextSize)
            throw new PoolRequestException("messages",
                $"the prompt is {promptTokens} tokens; with maxTokens {maxTokens} that exceeds the session context of {_options.ContextSize} (InferencePool:ContextSize).");

        linked = CancellationTokenSource.CreateLinkedTokenSource(revoked, cancellationToken);
        return new GenerationRequest(prompt.PrefixKey, prompt.PrefixTokens, prompt.SuffixTokens, maxTokens, temperature,
            request.Seed is { } seed ? unchecked((uint)seed) : (uint)Random.Shared.Next(), grammar,
            _time.GetUtcNow().AddMilliseconds(deadlineMs), linked.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Leases.Dispose();
        await _scheduler.DisposeAsync();
        _weights.Dispose();
    }
}
