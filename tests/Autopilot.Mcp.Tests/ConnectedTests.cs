using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Autopilot.Mcp.Tests;

/// <summary>Each test gets its own host (fresh fakes) and a C# SDK client connected over streamable HTTP.</summary>
public abstract class ConnectedTests : IAsyncLifetime
{
    private McpTestHost? _host;
    private McpClient? _client;

    internal McpTestHost Host => _host ?? throw new InvalidOperationException("not started");

    protected McpClient Client => _client ?? throw new InvalidOperationException("not connected");

    public async Task InitializeAsync()
    {
        _host = await McpTestHost.StartAsync();
        _client = await _host.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        if (_client is not null) await _client.DisposeAsync();
        if (_host is not null) await _host.DisposeAsync();
    }

    protected static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));
}
