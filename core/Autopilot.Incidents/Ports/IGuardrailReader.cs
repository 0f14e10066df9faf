using Autopilot.Remediation.Routing;

namespace Autopilot.Incidents.Ports;

/// <summary>
/// The read-only half of the guardrail port: what a route looks like now and what was decided for a change. It has no
/// way to submit, undo or approve; the MCP tools (and anything else that only reads) depend on this and never on
/// <see cref="IGuardrailGateway"/>. Both hosts register it as the same object as their <see cref="IGuardrailGateway"/>.
/// </summary>
public interface IGuardrailReader
{
    Task<RouteState> ReadRouteAsync(RouteRef route, CancellationToken ct);

    /// <summary>The decision taken for a change id, or null when the guardrail never saw it. Used to poll
    /// changes that wait for human approval.</summary>
    Task<GuardrailDecision?> GetDecisionAsync(RouteRef route, string changeId, CancellationToken ct);
}
