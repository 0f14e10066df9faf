using Autopilot.Remediation.Routing;

namespace Autopilot.GatewayBridge.Client;

/// <summary>
/// The bridge as its one caller (the guardrail) sees it. Implemented over HTTP (Dapr service invocation
/// or a direct base address) and, in stand-alone mode, in-process. Failures surface as
/// <see cref="GatewayBridgeException"/> with the HTTP status the bridge answered.
/// </summary>
public interface IGatewayBridgeClient
{
    Task<RouteState> GetRouteAsync(RouteRef route, CancellationToken cancellationToken = default);

    /// <summary>Applies an approved change. approvalToken is the guardrail's signature over the exact change.</summary>
    Task<ChangeResult> ApplyAsync(RouteChange change, string approvalToken, CancellationToken cancellationToken = default);

    /// <summary>Restores the weights the route had before change <paramref name="changeId"/>.</summary>
    Task<ChangeResult> UndoAsync(UndoRequest request, string approvalToken, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ChangeRecord>> ListChangesAsync(RouteRef? route = null, CancellationToken cancellationToken = default);
}

/// <summary>The bridge's journal entry for one change: enough to undo it exactly.</summary>
public sealed record ChangeRecord(
    RouteChange Change,
    ChangeResult Result,
    IReadOnlyList<BackendWeight> PreviousWeights,
    string? UndoneByChangeId);

/// <summary>A refusal from the bridge: 400, 401, 403, 404, 409, 412 (route moved since approval), 422, 5xx.</summary>
public sealed class GatewayBridgeException(int statusCode, string title, string? detail = null)
    : Exception($"gateway-bridge answered {statusCode} {title}{(detail is null ? "" : ": " + detail)}")
{
    public int StatusCode { get; } = statusCode;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;
}
