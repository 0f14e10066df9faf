using Autopilot.Incidents.Planning;
using Autopilot.InferencePool.Client.SemanticKernel;
using Autopilot.InferencePool.Engine;
using Autopilot.InferencePool.Engine.Models;
using Autopilot.InferencePool.Engine.Options;
using Autopilot.InferencePool.Engine.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Autopilot.Decisions.Evaluation;

/// <summary>
/// One model loaded in an in-process pool behind the real planner, wired as the stand-alone host wires it (pool
/// engine → InProcessInferencePool → Semantic Kernel chat completion → kernel → ProposalPlanner), so what is measured
/// is what the loop runs. Only the bounds differ: one session and generous deadlines, since a case is one incident on
/// an idle machine and a slow model should be measured rather than cut off.
/// </summary>
public sealed class PlannerUnderTest : IAsyncDisposable
{
    public const string CallerId = "autopilot-eval";

    private readonly InferencePoolEngine _engine;
    private readonly PoolMetrics _metrics;

    private readonly ServiceProvider _services;

    private PlannerUnderTest(InferencePoolEngine engine, PoolMetrics metrics, ServiceProvider services, ProposalPlanner planner, PlanningOptions planning)
    {
        _engine = engine;
        _metrics = metrics;
        _services = services;
        Planner = planner;
        Planning = planning;
    }

    public ProposalPlanner Planner { get; }
    public PlanningOptions Planning { get; }
    public string ModelName => _engine.ModelName;

    public static PoolOptions PoolOptionsFor(string modelPath, EvalPlan plan) => new()
    {
        ModelPath = modelPath,
        MaxConcurrentSessions = 1,
        ContextSize = plan.ContextSize,
        Threads = plan.Threads,
        DefaultDeadlineMs = plan.DeadlineMs,
    };

    public static PlanningOptions PlanningOptionsFor(EvalPlan plan) => new()
    {
        DeadlineMs = plan.DeadlineMs,
        // Cases run one at a time, so the single session is always free; a long wait would only mean a stuck pool.
        LeaseWaitMs = plan.DeadlineMs,
    };

    /// <exception cref="ModelLoadException">The options are invalid for this model or it cannot be loaded.</exception>
    public static async Task<PlannerUnderTest> LoadAsync(string modelPath, EvalPlan plan, ILoggerFactory loggers, CancellationToken ct)
    {
        var pool = PoolOptionsFor(modelPath, plan);
        if (pool.Problems() is { Count: > 0 } problems) throw new ModelLoadException(string.Join(" ", problems));

        var metrics = new PoolMetrics();
        InferencePoolEngine engine;
        try
        {
            engine = await InferencePoolEngine.LoadAsync(pool, loggers, metrics, TimeProvider.System, ct);
        }
        catch
        {
            metrics.Dispose();
            throw;
        }

        // Wired as the hosts wire it: the pool's chat service, the kernel from the container, the planner.
        var planning = PlanningOptionsFor(plan);
        var services = new ServiceCollection()
            .AddSingleton(loggers)
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
            .AddSingleton<IChatCompletionService>(new InferencePoolChatCompletionService(new InProcessInferencePool(engine, CallerId)))
            .AddSingleton(MsOptions.Create(planning))
            .AddSingleton<ProposalPlanner>();
        services.AddKernel();
        var provider = services.BuildServiceProvider();
        return new PlannerUnderTest(engine, metrics, provider, provider.GetRequiredService<ProposalPlanner>(), planning);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _engine.DisposeAsync();
        _metrics.Dispose();
    }
}
