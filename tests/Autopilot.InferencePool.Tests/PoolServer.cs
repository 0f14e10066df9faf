using Autopilot.InferencePool.Engine.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.InferencePool.Tests;

/// <summary>The real pool host on a free loopback port, with the generated model.</summary>
public sealed class PoolServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PoolServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<PoolServer> StartAsync(params string[] settings)
    {
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            $"--InferencePool:ModelPath={TestModel.Path_}",
            "--InferencePool:ContextSize=512",
            "--InferencePool:Threads=2",
            "--InferencePool:MaxOutputTokens=256",
            "--Logging:LogLevel:Default=Warning",
            .. settings.Select(s => "--InferencePool:" + s),
        ];
        var app = PoolHost.Build(args);
        await app.StartAsync();
        await app.Services.GetRequiredService<PoolRuntime>().Ready.WaitAsync(TimeSpan.FromMinutes(2));
        return new PoolServer(app, new Uri(app.Urls.First() + "/"));
    }

    public HttpClient Client(string? caller = "actors")
    {
        var http = new HttpClient { BaseAddress = Address };
        if (caller is not null) http.DefaultRequestHeaders.Add("X-Autopilot-Caller", caller);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
