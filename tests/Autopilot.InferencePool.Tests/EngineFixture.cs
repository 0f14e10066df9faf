using Autopilot.InferencePool.Engine;
using Autopilot.InferencePool.Engine.Options;
using Autopilot.InferencePool.Engine.Telemetry;
using Autopilot.InferencePool.Engine.TinyModels;
using Microsoft.Extensions.Logging.Abstractions;

namespace Autopilot.InferencePool.Tests;

/// <summary>The generated smoke-test model, written once per test run into a temp folder.</summary>
public static class TestModel
{
    private static readonly Lazy<string> Directory = new(() =>
    {
        var directory = Path.Combine(Path.GetTempPath(), "autopilot-pool-tests");
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    });

    public static string Path_ => TinyModel.EnsureCached(TinyModelSpec.Smoke, Directory.Value);

    public static string TempFile(string name) =>
        Path.Combine(Directory.Value, $"{Guid.NewGuid():N}-{name}");

    public static PoolOptions Options(Action<PoolOptions>? configure = null)
    {
        var options = new PoolOptions
        {
            ModelPath = Path_,
            ContextSize = 512,
            MaxConcurrentSessions = 4,
            QueueLimit = 8,
            QueueTimeoutSeconds = 30,
            LeaseTtlSeconds = 60,
            DefaultMaxTokens = 16,
            MaxOutputTokens = 256,
            Threads = 2,
        };
        configure?.Invoke(options);
        return options;
    }

    public static Task<InferencePoolEngine> LoadAsync(Action<PoolOptions>? configure = null, TimeProvider? time = null) =>
        InferencePoolEngine.LoadAsync(Options(configure), NullLoggerFactory.Instance, new PoolMetrics(), time);
}

/// <summary>One engine shared by the tests of a class (loading is cheap, but decoding contexts are not free).</summary>
public sealed class EngineFixture : IAsyncLifetime
{
    public InferencePoolEngine Engine { get; private set; } = null!;

    public async Task InitializeAsync() => Engine = await TestModel.LoadAsync();

    public async Task DisposeAsync() => await Engine.DisposeAsync();
}
