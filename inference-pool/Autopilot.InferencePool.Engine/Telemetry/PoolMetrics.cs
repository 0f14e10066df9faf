using System.Diagnostics.Metrics;

namespace Autopilot.InferencePool.Engine.Telemetry;

/// <summary>The pool's OpenTelemetry instruments, on the Meter "Autopilot.InferencePool".</summary>
public sealed class PoolMetrics : IDisposable
{
    public const string MeterName = "Autopilot.InferencePool";

    private readonly Meter _meter;
    private readonly Counter<long> _generatedTokens;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _forcedTokens;
    private readonly Counter<long> _prefixTokens;
    private readonly Counter<long> _prefixLookups;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _reclaimed;
    private readonly Histogram<double> _tokensPerSecond;
    private readonly Histogram<double> _leaseWait;
    private readonly Histogram<int> _batchSize;

    public PoolMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _generatedTokens = _meter.CreateCounter<long>("autopilot.pool.tokens.generated", "{token}", "Output tokens generated.");
        _promptTokens = _meter.CreateCounter<long>("autopilot.pool.prompt.tokens.evaluated", "{token}",
            "Prompt tokens run through the model (not counting those served from a cached prefix).");
        _forcedTokens = _meter.CreateCounter<long>("autopilot.pool.tokens.forced", "{token}",
            "Output tokens the grammar left no choice about, appended without sampling (counted in tokens.generated too).");
        _prefixTokens = _meter.CreateCounter<long>("autopilot.pool.prompt.tokens.reused", "{token}",
            "Prompt tokens served from an already evaluated shared prefix.");
        _prefixLookups = _meter.CreateCounter<long>("autopilot.pool.prefix.lookups", "{lookup}",
            "Shared-prefix cache lookups, tagged result=hit|miss.");
        _rejected = _meter.CreateCounter<long>("autopilot.pool.leases.rejected", "{lease}",
            "Lease requests answered 429, tagged reason=queue_full|queue_timeout.");
        _reclaimed = _meter.CreateCounter<long>("autopilot.pool.leases.reclaimed", "{lease}", "Leases reclaimed after their TTL.");
        _tokensPerSecond = _meter.CreateHistogram<double>("autopilot.pool.completion.tokens_per_second", "{token}/s",
            "Output tokens per second of each completion.");
        _leaseWait = _meter.CreateHistogram<double>("autopilot.pool.lease.wait", "s", "Time a lease request waited for a session.");
        _batchSize = _meter.CreateHistogram<int>("autopilot.pool.decode.batch.sessions", "{session}",
            "Sessions decoded together in one batch step.");
    }

    /// <summary>Observes live gauges (queue depth, active leases) from the lease manager.</summary>
    public void ObserveLeases(Func<int> active, Func<int> queued)
    {
        _meter.CreateObservableGauge("autopilot.pool.leases.active", active, "{lease}", "Leases currently out.");
        _meter.CreateObservableGauge("autopilot.pool.queue.depth", queued, "{request}", "Lease requests waiting for a session.");
    }

    public void Generated(int tokens, TimeSpan elapsed)
    {
        _generatedTokens.Add(tokens);
        if (tokens > 0 && elapsed > TimeSpan.Zero) _tokensPerSecond.Record(tokens / elapsed.TotalSeconds);
    }

    public void PromptEvaluated(int tokens) => _promptTokens.Add(tokens);
    public void Forced(int tokens) => _forcedTokens.Add(tokens);
    public void PrefixReused(int tokens) => _prefixTokens.Add(tokens);
    public void PrefixLookup(bool hit) => _prefixLookups.Add(1, new KeyValuePair<string, object?>("result", hit ? "hit" : "miss"));
    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));
    public void Reclaimed() => _reclaimed.Add(1);
    public void LeaseWaited(TimeSpan wait) => _leaseWait.Record(wait.TotalSeconds);
    public void BatchStep(int sessions) => _batchSize.Record(sessions);

    public void Dispose() => _meter.Dispose();
}
