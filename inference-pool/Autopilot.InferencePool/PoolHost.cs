using Autopilot.Hosting;
using Autopilot.InferencePool.Engine.Hosting;

namespace Autopilot.InferencePool;

/// <summary>Builds the pool's web app; Program and the tests use the same wiring.</summary>
public static class PoolHost
{
    public const string AppId = "inference-pool";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddAutopilotHosting(AppId);
        builder.Services.AddInferencePoolEngine(builder.Configuration);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapAutopilotHosting();
        app.MapInferencePool();
        return app;
    }
}
