using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Autopilot.Mcp;

public static class McpHostingExtensions
{
    public const string Path = "/mcp";

    /// <summary>The read-only tools over MCP's streamable HTTP transport at /mcp, and with Autopilot:Mcp:LegacySse
    /// the older HTTP+SSE transport at /mcp/sse and /mcp/message. The host registers the ports they read.</summary>
    public static IServiceCollection AddAutopilotMcp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<McpEndpointOptions>().Bind(configuration.GetSection(McpEndpointOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddMcpServer(options => options.ServerInfo = new() { Name = "autopilot", Version = "1.0.0" })
            .WithHttpTransport()
            .WithTools<AutopilotReadTools>(ToolJson)
            .WithRequestFilters(filters => filters.AddCallToolFilter(AnswerErrorsPlainly));
        services.AddOptions<HttpServerTransportOptions>().Configure<IOptions<McpEndpointOptions>>((transport, endpoint) =>
        {
            // Legacy SSE keeps a session in memory between GET /sse and POST /message, so the SDK allows it only
            // with sessions; streamable-HTTP clients then get one too (StatefulForInitializeClients), which is why
            // it is off by default for the actors app's replicas (docs/mcp.md).
            transport.SessionMode = endpoint.Value.LegacySse ? HttpServerSessionMode.StatefulForInitializeClients : HttpServerSessionMode.Stateless;
#pragma warning disable MCP9004, MCP9006 // obsolete in the SDK as legacy (SSE, sessions); used only on request.
            transport.EnableLegacySse = endpoint.Value.LegacySse;
            transport.IdleTimeout = endpoint.Value.SessionIdleTimeout;
#pragma warning restore MCP9004, MCP9006
        });
        return services;
    }

    /// <summary>Results are written as the HTTP API writes incidents (NaN, the journal's "no data", as "NaN"), and
    /// with every property present, null included, so that a result matches the output schema's "required".</summary>
    private static readonly JsonSerializerOptions ToolJson = new(McpJsonUtilities.DefaultOptions)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static IEndpointConventionBuilder MapAutopilotMcp(this IEndpointRouteBuilder endpoints) => endpoints.MapMcp(Path);

    /// <summary>Every failed call answers with a tool error that says what was wrong: an argument against the tool's
    /// own input schema, the tool's message (a backend that did not answer, an unknown id), never only the SDK's
    /// "An error occurred invoking '…'".</summary>
    private static McpRequestHandler<CallToolRequestParams, CallToolResult> AnswerErrorsPlainly(
        McpRequestHandler<CallToolRequestParams, CallToolResult> next) => async (request, cancellationToken) =>
    {
        if (request.MatchedPrimitive is McpServerTool tool
            && ToolArguments.Problem(tool.ProtocolTool.InputSchema, request.Params?.Arguments) is { } problem)
            return Error(problem);
        try
        {
            return await next(request, cancellationToken);
        }
        catch (McpException e) when (e is not McpProtocolException)
        {
            return Error(e.Message);
        }
        catch (Exception e) when (e is not (OperationCanceledException or McpProtocolException))
        {
            return Error($"{request.Params?.Name} failed: {e.GetType().Name}: {e.Message}");
        }
    };

    private static CallToolResult Error(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };
}
