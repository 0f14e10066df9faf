using System.ComponentModel.DataAnnotations;
using Autopilot.InferencePool.Engine.Models;
using Autopilot.InferencePool.Engine.Prompting;

namespace Autopilot.InferencePool.Engine.Options;

/// <summary>The pool's settings, bound from configuration section <see cref="Section"/> and validated at start-up
/// (DataAnnotations, as every app's options are); each problem names the key, what is wrong and what would be valid.</summary>
public sealed class PoolOptions : IValidatableObject
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

    /// <summary>Append the text a request's grammar forces (JSON keys, punctuation, a pinned route) in one step instead
    /// of sampling it token by token ("jump-forward" decoding).</summary>
    public bool JumpForward { get; set; } = true;

    /// <summary>Distinct prefixes kept evaluated (least recently used is dropped).</summary>
    public int MaxCachedPrefixes { get; set; } = 4;

    /// <summary>auto (from the model's chat template), chatml, llama3 or plain.</summary>
    public string PromptTemplate { get; set; } = "auto";

    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;

    // llama.cpp's LLAMA_MAX_SEQ: sessions plus cached prefixes each take one sequence.
    private const int MaxSequences = 256;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        ValidationResult? Range(string property, int value, int min, int max) =>
            value < min || value > max ? new ValidationResult($"{Key(property)} is {value}; it must be between {min} and {max}.", [property]) : null;

        if (string.IsNullOrWhiteSpace(ModelPath))
            yield return new ValidationResult(
                $"{Key(nameof(ModelPath))} is not set; give a GGUF model file (e.g. /models/qwen2.5-7b-instruct-q4_k_m.gguf) or builtin:tiny.", [nameof(ModelPath)]);
        else if (ModelPath.StartsWith(BuiltinPrefix, StringComparison.Ordinal))
        {
            if (!BuiltinModels.Names.Contains(ModelPath[BuiltinPrefix.Length..]))
                yield return new ValidationResult(
                    $"{Key(nameof(ModelPath))} is '{ModelPath}'; builtin models are {string.Join(", ", BuiltinModels.Names.Select(n => BuiltinPrefix + n))}.",
                    [nameof(ModelPath)]);
        }
        else if (GgufFile.Check(ModelPath) is { } problem)
            yield return new ValidationResult($"{Key(nameof(ModelPath))} is '{ModelPath}': {problem}", [nameof(ModelPath)]);

        var ranges = new[]
        {
            Range(nameof(ContextSize), ContextSize, 64, 131_072),
            Range(nameof(Threads), Threads, 0, 256),
            Range(nameof(MaxConcurrentSessions), MaxConcurrentSessions, 1, 128),
            Range(nameof(KvCacheBudgetMb), KvCacheBudgetMb, 1, 1_048_576),
            Range(nameof(QueueLimit), QueueLimit, 0, 100_000),
            Range(nameof(QueueTimeoutSeconds), QueueTimeoutSeconds, 1, 3600),
            Range(nameof(LeaseTtlSeconds), LeaseTtlSeconds, 1, 86_400),
            Range(nameof(MaxOutputTokens), MaxOutputTokens, 1, ContextSize),
            Range(nameof(DefaultMaxTokens), DefaultMaxTokens, 1, Math.Max(1, MaxOutputTokens)),
            Range(nameof(DefaultDeadlineMs), DefaultDeadlineMs, 100, 3_600_000),
            Range(nameof(MaxCachedPrefixes), MaxCachedPrefixes, 1, 64),
        };
        foreach (var problem in ranges.OfType<ValidationResult>()) yield return problem;
        if (MaxConcurrentSessions + MaxCachedPrefixes > MaxSequences)
            yield return new ValidationResult(
                $"{Key(nameof(MaxConcurrentSessions))} + {Key(nameof(MaxCachedPrefixes))} is {MaxConcurrentSessions + MaxCachedPrefixes}; together they must be at most {MaxSequences}.",
                [nameof(MaxConcurrentSessions), nameof(MaxCachedPrefixes)]);
        if (!ChatPromptTemplate.Names.Contains(PromptTemplate))
            yield return new ValidationResult($"{Key(nameof(PromptTemplate))} is '{PromptTemplate}'; valid: {string.Join(", ", ChatPromptTemplate.Names)}.",
                [nameof(PromptTemplate)]);
    }

    /// <summary>What start-up validation would say, for callers without dependency injection (empty: valid).</summary>
    public IReadOnlyList<string> Problems()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage ?? "")];
    }

    private static string Key(string property) => $"{Section}:{property}";
}
