using Autopilot.InferencePool.Engine.Models;
using Autopilot.InferencePool.Engine.Prompting;
using Microsoft.Extensions.Options;

namespace Autopilot.InferencePool.Engine.Options;

/// <summary>Checks every option at start-up; each failure names the key, what is wrong and what would be valid.</summary>
public sealed class PoolOptionsValidator : IValidateOptions<PoolOptions>
{
    // llama.cpp's LLAMA_MAX_SEQ: sessions plus cached prefixes each take one sequence.
    private const int MaxSequences = 256;

    public ValidateOptionsResult Validate(string? name, PoolOptions o)
    {
        var errors = new List<string>();
        void Range(string key, int value, int min, int max)
        {
            if (value < min || value > max)
                errors.Add($"{Key(key)} is {value}; it must be between {min} and {max}.");
        }

        if (string.IsNullOrWhiteSpace(o.ModelPath))
            errors.Add($"{Key(nameof(o.ModelPath))} is not set; give a GGUF model file (e.g. /models/qwen2.5-7b-instruct-q4_k_m.gguf) or builtin:tiny.");
        else if (o.ModelPath.StartsWith(PoolOptions.BuiltinPrefix, StringComparison.Ordinal))
        {
            if (!BuiltinModels.Names.Contains(o.ModelPath[PoolOptions.BuiltinPrefix.Length..]))
                errors.Add($"{Key(nameof(o.ModelPath))} is '{o.ModelPath}'; builtin models are {string.Join(", ", BuiltinModels.Names.Select(n => PoolOptions.BuiltinPrefix + n))}.");
        }
        else if (GgufFile.Check(o.ModelPath) is { } problem)
            errors.Add($"{Key(nameof(o.ModelPath))} is '{o.ModelPath}': {problem}");

        Range(nameof(o.ContextSize), o.ContextSize, 64, 131_072);
        Range(nameof(o.Threads), o.Threads, 0, 256);
        Range(nameof(o.MaxConcurrentSessions), o.MaxConcurrentSessions, 1, 128);
        Range(nameof(o.KvCacheBudgetMb), o.KvCacheBudgetMb, 1, 1_048_576);
        Range(nameof(o.QueueLimit), o.QueueLimit, 0, 100_000);
        Range(nameof(o.QueueTimeoutSeconds), o.QueueTimeoutSeconds, 1, 3600);
        Range(nameof(o.LeaseTtlSeconds), o.LeaseTtlSeconds, 1, 86_400);
        Range(nameof(o.MaxOutputTokens), o.MaxOutputTokens, 1, o.ContextSize);
        Range(nameof(o.DefaultMaxTokens), o.DefaultMaxTokens, 1, Math.Max(1, o.MaxOutputTokens));
        Range(nameof(o.DefaultDeadlineMs), o.DefaultDeadlineMs, 100, 3_600_000);
        Range(nameof(o.MaxCachedPrefixes), o.MaxCachedPrefixes, 1, 64);
        if (o.MaxConcurrentSessions + o.MaxCachedPrefixes > MaxSequences)
            errors.Add($"{Key(nameof(o.MaxConcurrentSessions))} + {Key(nameof(o.MaxCachedPrefixes))} is {o.MaxConcurrentSessions + o.MaxCachedPrefixes}; together they must be at most {MaxSequences}.");
        if (!ChatPromptTemplate.Names.Contains(o.PromptTemplate))
            errors.Add($"{Key(nameof(o.PromptTemplate))} is '{o.PromptTemplate}'; valid: {string.Join(", ", ChatPromptTemplate.Names)}.");

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static string Key(string property) => $"{PoolOptions.Section}:{property}";
}
