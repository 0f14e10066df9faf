using Autopilot.InferencePool.Engine.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.InferencePool.Tests;

/// <summary>The pool as its Program builds it, on a free loopback port, with the generated model.</summary>
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
            .. settings.Select(s => "InferencePool:" + s),
        ];
        var app = new PoolApp(values.Select(v => v.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]));
        app.UseKestrel(0);
        app.StartServer();
        await app.Services.GetRequiredService<PoolRuntime>().Ready.WaitAsync(TimeSpan.FromMinutes(2));
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new PoolServer(app, new Uri(address + "/"));
    }

    public HttpClient Client(string? caller = "actors")
    {
        var http = new HttpClient { BaseAddress = Address };
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
