using Autopilot.InferencePool.Client;
using Autopilot.InferencePool.Engine.Models;
using Autopilot.InferencePool.Engine.Options;
using Autopilot.InferencePool.Engine.Telemetry;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Autopilot.InferencePool.Engine.Hosting;

/// <summary>
/// Loads the model in the background once the host starts, so liveness answers at once and readiness turns healthy
/// only when the model is loaded. A model that cannot be loaded stops the host with exit code 1 and a clear log line.
/// </summary>
public sealed class PoolRuntime(IOptions<PoolOptions> options, ILoggerFactory loggers, PoolMetrics metrics,
    IHostApplicationLifetime lifetime, TimeProvider time) : BackgroundService, IHealthCheck
{
    private readonly TaskCompletionSource<InferencePoolEngine> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger = loggers.CreateLogger<PoolRuntime>();

    /// <summary>The engine once loaded, else null.</summary>
    public InferencePoolEngine? Engine { get; private set; }

    /// <summary>Completes when the model is loaded; faults if it cannot be.</summary>
    public Task<InferencePoolEngine> Ready => _ready.Task;

    /// <summary>The engine, or <see cref="PoolUnavailableException"/> while the model is still loading.</summary>
    public InferencePoolEngine RequireEngine() =>
        Engine ?? throw new PoolUnavailableException("The model is still loading; retry when /readyz is healthy.");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            Engine = await InferencePoolEngine.LoadAsync(options.Value, loggers, metrics, time, stoppingToken);
            _ready.TrySetResult(Engine);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _ready.TrySetCanceled(stoppingToken);
        }
        catch (ModelLoadException e)
        {
            _logger.LogCritical(e, "The inference pool cannot start: {Reason}", e.Message);
            _ready.TrySetException(e);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Engine is { } engine
            ? HealthCheckResult.Healthy($"{engine.ModelName} loaded")
            : _ready.Task.IsFaulted
                ? HealthCheckResult.Unhealthy("The model could not be loaded.", _ready.Task.Exception?.InnerException)
                : HealthCheckResult.Unhealthy("The model is loading."));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (Engine is { } engine) await engine.DisposeAsync();
        Engine = null;
    }
}
