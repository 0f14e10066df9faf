using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Autopilot.Simulator.KubeApi;

/// <summary>
/// A Kubernetes-API-compatible server for HTTPRoutes (and any registered namespaced custom resource) on a loopback
/// port, so the real KubernetesClient can be driven against it: the stand-alone mode's simulated cluster and the tests.
/// </summary>
public sealed class KubeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KubeApiServer(WebApplication app, KubeApiState state, Uri url)
    {
        _app = app;
        State = state;
        Url = url;
    }

    public KubeApiState State { get; }
    public KubeObjectStore Store => State.Store;
    public KubeAccessControl Access => State.Access;
    public Uri Url { get; }

    /// <summary>Starts on 127.0.0.1 with a free port (or <paramref name="port"/>).</summary>
    public static async Task<KubeApiServer> StartAsync(KubeApiState? state = null, int port = 0, CancellationToken cancellationToken = default)
    {
        state ??= new KubeApiState(new KubeObjectStore(), new KubeAccessControl());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapKubeApi(state);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KubeApiServer(app, state, new Uri(address.Replace("[::]", "127.0.0.1")));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
