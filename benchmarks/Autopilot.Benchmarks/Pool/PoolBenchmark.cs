using System.Diagnostics;
using System.Diagnostics.Metrics;
using Autopilot.InferencePool.Client;
using Autopilot.InferencePool.Engine;
using Autopilot.InferencePool.Engine.Models;
using Autopilot.InferencePool.Engine.Options;
using Autopilot.InferencePool.Engine.Telemetry;
using Autopilot.InferencePool.Engine.TinyModels;
using LLama;
using LLama.Common;
using LLama.Sampling;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.Benchmarks.Pool;

/// <summary>
/// The inference-pool benchmark on the generated bench model (wide and deep enough that decoding is bound by memory
/// bandwidth, like a 7B model on CPU): aggregate tokens/s batched vs one context per request at 1, 4 and 16 sessions;
/// prompt tokens evaluated with and without prefix reuse for a ~400-token shared prefix; peak RSS with 16 and 64
/// callers queued behind a fixed number of sessions. Options: --tokens N (per session, default 32), --repeat N (best of
/// N timed runs, default 3), --threads N (default: one per core), --model file.gguf.
/// </summary>
public static class PoolBenchmark
{
    private static int _threads = Environment.ProcessorCount;

    public static async Task<int> RunAsync(string[] args)
    {
        var tokens = Option(args, "--tokens") is { } t ? int.Parse(t) : 32;
        var repeat = Option(args, "--repeat") is { } r ? int.Parse(r) : 3;
        _threads = Option(args, "--threads") is { } th ? int.Parse(th) : Environment.ProcessorCount;
        var modelPath = Option(args, "--model") ?? TinyModel.EnsureCached(TinyModelSpec.Bench);
        var info = GgufFile.Read(modelPath);
        Console.WriteLine($"model: {info.Name} ({new FileInfo(modelPath).Length / (1 << 20)} MiB, {info.Number("block_count")} layers, " +
                          $"embedding {info.Number("embedding_length")}), {Environment.ProcessorCount} cores, {_threads} threads, {tokens} tokens per session");
        if (File.Exists("/proc/loadavg"))
            Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()} (timings on a busy machine are noisy; best of {repeat} runs shown)");
        Console.WriteLine();

        await ThroughputAsync(modelPath, tokens, repeat);
        await PrefixReuseAsync(modelPath);
        await MemoryUnderQueueingAsync(modelPath);
        return 0;
    }

    private static PoolOptions Options(string modelPath, int sessions, bool prefixReuse = true, int queueLimit = 128) => new()
    {
        ModelPath = modelPath,
        ContextSize = 1024,
        MaxConcurrentSessions = sessions,
        QueueLimit = queueLimit,
        QueueTimeoutSeconds = 600,
        MaxOutputTokens = 512,
        DefaultDeadlineMs = 600_000,
        PrefixReuse = prefixReuse,
        PromptTemplate = "plain",
        Threads = _threads,
    };

    private static CompletionRequest Request(int i, int maxTokens, string? system = null) => new()
    {
        Messages = system is null
            ? [new PoolChatMessage("user", $"alert {i}: checkout-v2 error ratio high")]
            : [new PoolChatMessage("system", system), new PoolChatMessage("user", $"alert {i}: checkout-v2 error ratio {i}%")],
        MaxTokens = maxTokens,
        Temperature = 0,
        Seed = i,
    };

    private static async Task<CompletionResult> RunOneAsync(InferencePoolEngine engine, int i, CompletionRequest request)
    {
        var caller = $"actor-{i}";
        var lease = await engine.LeaseAsync(caller, default);
        try
        {
            return await engine.CompleteAsync(caller, lease.LeaseId, request, default);
        }
        finally
        {
            engine.Release(caller, lease.LeaseId);
        }
    }

    private static async Task ThroughputAsync(string modelPath, int tokens, int repeat)
    {
        Console.WriteLine("1. aggregate decode throughput (tokens/s), all sessions submitted at once");
        Console.WriteLine($"{"sessions",8} {"batched",10} {"naive",10} {"ratio",7}");
        foreach (var sessions in new[] { 1, 4, 16 })
        {
            var batched = 0.0;
            await using (var engine = await InferencePoolEngine.LoadAsync(Options(modelPath, sessions), NullLoggerFactory.Instance, new PoolMetrics()))
            {
                await RunOneAsync(engine, 0, Request(0, 2)); // warm-up
                for (var run = 0; run < repeat; run++)
                {
                    var clock = Stopwatch.StartNew();
                    var results = await Task.WhenAll(Enumerable.Range(0, sessions).Select(i => RunOneAsync(engine, i, Request(i, tokens))));
                    batched = Math.Max(batched, results.Sum(r => r.CompletionTokens) / clock.Elapsed.TotalSeconds);
                }
            }

            var naive = await NaiveAsync(modelPath, sessions, tokens, repeat);
            Console.WriteLine($"{sessions,8} {batched,10:F1} {naive,10:F1} {batched / naive,6:F2}x");
        }
        Console.WriteLine();
    }

    /// <summary>The same work with one llama.cpp context per request (LLamaSharp's StatelessExecutor), all at once.</summary>
    private static async Task<double> NaiveAsync(string modelPath, int sessions, int tokens, int repeat)
    {
        var parameters = new ModelParams(modelPath) { ContextSize = 1024, Threads = _threads, BatchThreads = _threads, GpuLayerCount = 0 };
        using var weights = await LLamaWeights.LoadFromFileAsync(parameters);
        await GenerateAsync(0, 2); // warm-up, as the batched run has
        var best = 0.0;
        for (var run = 0; run < repeat; run++)
        {
            var clock = Stopwatch.StartNew();
            var counts = await Task.WhenAll(Enumerable.Range(0, sessions).Select(i => Task.Run(() => GenerateAsync(i, tokens))));
            best = Math.Max(best, counts.Sum() / clock.Elapsed.TotalSeconds);
        }
        return best;

        async Task<int> GenerateAsync(int i, int maxTokens)
        {
            var executor = new StatelessExecutor(weights, parameters) { ApplyTemplate = false };
            var inference = new InferenceParams
            {
                MaxTokens = maxTokens,
                SamplingPipeline = new DefaultSamplingPipeline { Temperature = 0, Seed = (uint)i },
            };
            var generated = 0;
            await foreach (var _ in executor.InferAsync($"User: alert {i}: checkout-v2 error ratio high\n\nAssistant: ", inference))
                generated++;
            return generated;
        }
    }

    private static async Task PrefixReuseAsync(string modelPath)
    {
        const int sessions = 16;
        var system = "You are Autopilot, an SRE agent. Propose exactly one action as JSON with fields action, backend, weight, reason. " +
                     "Allowed actions: shift_traffic, rollback, rate_limit, escalate, no_action. Keep the stable backend above its floor. ";
        while (system.Length < 400) system += "Never touch routes outside the incident's namespace. ";
        system = system[..400];

        Console.WriteLine($"2. prompt evaluation for {sessions} sessions sharing a {system.Length}-character system prefix");
        Console.WriteLine($"{"mode",12} {"prefix tok",11} {"evaluated",10} {"reused",8} {"seconds",8}");
        var evaluated = new Dictionary<bool, long>();
        foreach (var reuse in new[] { false, true })
        {
            await using var engine = await InferencePoolEngine.LoadAsync(Options(modelPath, sessions, prefixReuse: reuse),
                NullLoggerFactory.Instance, new PoolMetrics());
            var prefixTokens = engine.CountTokens(system);
            using var counter = new CounterListener(PoolMetrics.MeterName, "autopilot.pool.prompt.tokens.evaluated");
            var clock = Stopwatch.StartNew();
            var results = await Task.WhenAll(Enumerable.Range(0, sessions).Select(i => RunOneAsync(engine, i, Request(i, 1, system))));
            evaluated[reuse] = counter.Total;
            Console.WriteLine($"{(reuse ? "reuse" : "no reuse"),12} {prefixTokens,11} {counter.Total,10} {results.Sum(r => r.PrefixTokensReused),8} {clock.Elapsed.TotalSeconds,8:F2}");
        }
        Console.WriteLine($"prompt evaluation saved by prefix reuse: {1 - (double)evaluated[true] / evaluated[false]:P1}");
        Console.WriteLine();
    }

    private static async Task MemoryUnderQueueingAsync(string modelPath)
    {
        const int slots = 4;
        Console.WriteLine($"3. peak RSS with callers queued behind {slots} sessions (16 tokens each)");
        var peaks = new Dictionary<int, long>();
        await using var engine = await InferencePoolEngine.LoadAsync(Options(modelPath, slots), NullLoggerFactory.Instance, new PoolMetrics());
        await RunOneAsync(engine, 0, Request(0, 2));
        foreach (var callers in new[] { 16, 64 })
        {
            using var sampler = new RssSampler();
            await Task.WhenAll(Enumerable.Range(0, callers).Select(i => RunOneAsync(engine, i, Request(i, 16))));
            peaks[callers] = sampler.Peak;
            Console.WriteLine($"{callers,4} callers ({callers - slots} queued): peak RSS {sampler.Peak / (1 << 20)} MiB");
        }
        Console.WriteLine($"RSS 64 vs 16 callers: {(double)peaks[64] / peaks[16] - 1:+0.0%;-0.0%}");
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    /// <summary>Sums one counter of a meter while it lives.</summary>
    private sealed class CounterListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public CounterListener(string meter, string instrument)
        {
            _listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == meter && i.Name == instrument) l.EnableMeasurementEvents(i); };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>Samples the process's resident set every 5 ms and keeps the highest.</summary>
    private sealed class RssSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private long _peak;

        public RssSampler()
        {
            _loop = Task.Run(async () =>
            {
                using var process = Process.GetCurrentProcess();
                while (!_stop.IsCancellationRequested)
                {
                    process.Refresh();
                    _peak = Math.Max(_peak, process.WorkingSet64);
                    await Task.Delay(5);
                }
            });
        }

        public long Peak { get { _stop.Cancel(); _loop.Wait(); return _peak; } }

        public void Dispose() => _stop.Cancel();
    }
}
