using System.Diagnostics.CodeAnalysis;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Proposals;

namespace Autopilot.Incidents.Planning;

/// <summary>
/// Turns an SOP's declared default action into a concrete proposal without the model. Only actions whose
/// parameters follow from the route and alerts can be built (rollback_canary, isolate_backend of the alerting
/// non-stable version, escalate, no_action); shift_traffic and set_rate_limit need numbers only a plan supplies.
/// </summary>
public static class SopDefaults
{
    public static bool TryCreate(Sop sop, ProposalContext? context, IReadOnlyList<Alert> alerts, string why, [NotNullWhen(true)] out Proposal? proposal)
    {
        var reason = ProposalPlanner.Truncate($"SOP {sop.Id} default ({why})");
        proposal = sop.DefaultAction switch
        {
            ActionNames.Escalate => new Escalate(reason),
            ActionNames.NoAction => new NoAction(reason),
            ActionNames.RollbackCanary when context is { StableBackend: not null, Route.Length: > 0 } => new RollbackCanary(context.Route, reason),
            ActionNames.IsolateBackend when context is { StableBackend: not null, Route.Length: > 0 } && AlertingCanary(context, alerts) is { } backend =>
                new IsolateBackend(context.Route, backend, reason),
            _ => null,
        };
        return proposal is not null;
    }

    private static string? AlertingCanary(ProposalContext context, IReadOnlyList<Alert> alerts) =>
        alerts.Select(a => a.Label("version"))
            .FirstOrDefault(v => v is not null && v != context.StableBackend && context.Backends.Contains(v));
}
