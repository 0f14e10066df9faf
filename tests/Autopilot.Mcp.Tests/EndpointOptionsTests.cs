using System.Net;
using Microsoft.Extensions.Options;

namespace Autopilot.Mcp.Tests;

/// <summary>Autopilot:Mcp: legacy SSE only on request, and a session lifetime out of range stops the start.</summary>
public sealed class EndpointOptionsTests
{
    [Fact]
    public async Task Legacy_sse_is_off_by_default()
    {
        await using var host = await McpTestHost.StartAsync();
        using var http = new HttpClient();

        using var response = await http.GetAsync(new Uri(host.Endpoint + "/sse"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_session_idle_timeout_out_of_range_stops_the_start_naming_the_key()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            McpTestHost.StartAsync(("Autopilot:Mcp:SessionIdleTimeout", "00:00:05")));

        Assert.Contains("Autopilot:Mcp:SessionIdleTimeout is 00:00:05", error.Message);
    }
}
