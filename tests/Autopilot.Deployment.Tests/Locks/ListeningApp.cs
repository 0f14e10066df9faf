using System.Net;
using System.Net.Sockets;
using Autopilot.Deployment.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Autopilot.Deployment.Tests.Locks;

/// <summary>An app as its Program builds it, listening on real loopback ports (a request's port is the connection's,
/// which TestServer does not have): the app port and, when asked, a monitoring port.</summary>
public sealed class ListeningApp<TEntry> : WebApplicationFactory<TEntry> where TEntry : class
{
    private readonly Dictionary<string, string?> _settings;

    private ListeningApp(Dictionary<string, string?> settings) => _settings = settings;

    public Uri AppUrl { get; private set; } = null!;

    public Uri? MonitoringUrl { get; private set; }

    public static ListeningApp<TEntry> Start(Dictionary<string, string?> settings, bool withMonitoringPort)
    {
        var monitoringPort = withMonitoringPort ? FreePort() : (int?)null;
        if (monitoringPort is { } configured) settings["Autopilot:Monitoring:Port"] = configured.ToString();
        var app = new ListeningApp<TEntry>(settings);
        app.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            if (monitoringPort is { } port) kestrel.Listen(IPAddress.Loopback, port);
        });
        app.StartServer();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a + "/")).ToList();
        app.AppUrl = addresses.Single(a => a.Port != monitoringPort);
        app.MonitoringUrl = addresses.SingleOrDefault(a => a.Port == monitoringPort);
        return app;
    }

    /// <summary>Every route the app maps, once per verb, with each parameter filled in.</summary>
    public IReadOnlyList<(HttpMethod Verb, string Path, string Route)> Requests() =>
        [.. Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(verb => (new HttpMethod(verb), Fill(e.RoutePattern.RawText!), "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct()];

    private static string Fill(string route) =>
        System.Text.RegularExpressions.Regex.Replace(route.TrimStart('/'), @"\{[^}]+\}", "x");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.ClearProviders());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>What the lock tests send to every route an app maps.</summary>
public static class RouteRequests
{
    /// <summary>A verb that takes a body gets an empty JSON object: enough to reach a handler, never enough to act.</summary>
    public static HttpRequestMessage For(HttpMethod verb, Uri url)
    {
        var request = new HttpRequestMessage(verb, url);
        if (verb != HttpMethod.Get && verb != HttpMethod.Delete) request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        return request;
    }
}
