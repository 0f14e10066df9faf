namespace Autopilot.InferencePool.Engine.Options;

/// <summary>The pool's settings, bound from configuration section <see cref="Section"/> and validated at start-up.</summary>
public sealed class PoolOptions
{
    public const string Section = "InferencePool";

    /// <summary>Prefix of <see cref="ModelPath"/> values that name a generated model instead of a file.</summary>
    public const string BuiltinPrefix = "builtin:";

    /// <summary>
    /// GGUF model file, or "builtin:tiny" (the generated smoke-test model) / "builtin:bench" (the larger generated one).
    /// </summary>
    public string ModelPath { get; set; } = "";

    /// <summary>Where builtin models are generated (default: a folder under the system temp directory).</summary>
    public string? ModelCacheDirectory { get; set; }

    /// <summary>Tokens one session may hold: prompt plus output. The KV cache holds this many per session.</summary>
    public int ContextSize { get; set; } = 2048;

    /// <summary>CPU threads for decoding; 0 = one per core.</summary>
    public int Threads { get; set; }

    /// <summary>Sessions decoded together; also the number of leases that can be out at once.</summary>
    public int MaxConcurrentSessions { get; set; } = 4;

    /// <summary>Upper bound on KV cache memory; start-up fails if ContextSize × (MaxConcurrentSessions + 1) needs more.</summary>
    public int KvCacheBudgetMb { get; set; } = 4096;

    /// <summary>Lease requests that may wait for a free session; beyond this they get 429 at once. A waiter is a
    /// small object, and an alert storm opens an incident per workload at once: 128 lets 100 of them queue.</summary>
    public int QueueLimit { get; set; } = 128;

    /// <summary>How long a queued lease request waits before it gets 429.</summary>
    public int QueueTimeoutSeconds { get; set; } = 30;

    /// <summary>A lease not used (no completion started or finished) for this long is reclaimed.</summary>
    public int LeaseTtlSeconds { get; set; } = 60;

    /// <summary>Output tokens when a request does not say.</summary>
    public int DefaultMaxTokens { get; set; } = 256;

    /// <summary>The most output tokens a request may ask for.</summary>
    public int MaxOutputTokens { get; set; } = 1024;

    /// <summary>Request deadline when a request does not say.</summary>
    public int DefaultDeadlineMs { get; set; } = 60_000;

    /// <summary>Evaluate each distinct system prefix once and fork it per session.</summary>
    public bool PrefixReuse { get; set; } = true;

    /// <summary>Distinct prefixes kept evaluated (least recently used is dropped).</summary>
    public int MaxCachedPrefixes { get; set; } = 4;

    /// <summary>auto (from the model's chat template), chatml, llama3 or plain.</summary>
    public string PromptTemplate { get; set; } = "auto";

    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;
}
