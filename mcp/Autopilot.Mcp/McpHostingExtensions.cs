using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.Mcp;

public static class McpHostingExtensions
{
    public const string Path = "/mcp";

    /// <summary>The read-only tools over MCP's streamable HTTP transport. The host registers the ports they read.</summary>
    public static IServiceCollection AddAutopilotMcp(this IServiceCollection services)
    {
        services.AddMcpServer(options => options.ServerInfo = new() { Name = "autopilot", Version = "1.0.0" })
            .WithHttpTransport(options => options.Stateless = true)
            .WithTools<AutopilotReadTools>();
        return services;
    }

    public static IEndpointConventionBuilder MapAutopilotMcp(this IEndpointRouteBuilder endpoints) => endpoints.MapMcp(Path);
}
