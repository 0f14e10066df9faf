using Autopilot.InferencePool.Engine.Options;
using Autopilot.InferencePool.Engine.TinyModels;

namespace Autopilot.InferencePool.Engine.Models;

/// <summary>The generated models a ModelPath of "builtin:NAME" refers to.</summary>
public static class BuiltinModels
{
    public static IReadOnlyCollection<string> Names { get; } = ["tiny", "bench"];

    public static TinyModelSpec Spec(string name) => name switch
    {
        "tiny" => TinyModelSpec.Smoke,
        "bench" => TinyModelSpec.Bench,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, $"builtin models are {string.Join(", ", Names)}"),
    };

    /// <summary>The file to load: the configured path, or the builtin model generated into the cache on first use.</summary>
    public static string ResolvePath(PoolOptions options) =>
        options.ModelPath.StartsWith(PoolOptions.BuiltinPrefix, StringComparison.Ordinal)
            ? TinyModel.EnsureCached(Spec(options.ModelPath[PoolOptions.BuiltinPrefix.Length..]), options.ModelCacheDirectory)
            : options.ModelPath;
}
