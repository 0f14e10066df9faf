using Autopilot.InferencePool.Engine.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.InferencePool.Tests;

/// <summary>The pool as its Program builds it, on a free loopback port, with the generated model and an app API token:
/// <see cref="Client"/> calls it as its Dapr sidecar would, with the token.</summary>
public sealed class PoolServer : IAsyncDisposable
{
    private readonly PoolApp _app;

    private PoolServer(PoolApp app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<PoolServer> StartAsync(params string[] settings)
    {
        string[] values =
        [
            $"InferencePool:ModelPath={TestModel.Path_}",
            "InferencePool:ContextSize=512",
            "InferencePool:Threads=2",
            "InferencePool:MaxOutputTokens=256",
            "Logging:LogLevel:Default=Warning",
            $"APP_API_TOKEN={AppApiToken}",
            .. settings.Select(s => "InferencePool:" + s),
        ];
        var app = new PoolApp(values.Select(v => v.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]));
        app.UseKestrel(0);
        app.StartServer();
        await app.Services.GetRequiredService<PoolRuntime>().Ready.WaitAsync(TimeSpan.FromMinutes(2));
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PoolServer(app, new Uri(address + "/"));
    }

    /// <summary>What the pool's sidecar would send as dapr-api-token.</summary>
    public const string AppApiToken = "pool-app-api-token-for-tests";

    /// <summary>A client calling as the sidecar does (with the app API token unless <paramref name="asSidecar"/> is false).</summary>
    public HttpClient Client(string? caller = "actors", bool asSidecar = true)
    {
        var http = new HttpClient { BaseAddress = Address };
        if (asSidecar) http.DefaultRequestHeaders.Add("dapr-api-token", AppApiToken);
        if (caller is not null) http.DefaultRequestHeaders.Add("X-Autopilot-Caller", caller);
        return http;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private sealed class PoolApp(IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
        }
    }
}
