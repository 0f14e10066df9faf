using Autopilot.Remediation.Policies;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Incidents.Ports;

/// <summary>A proposal for one route. ChangeId is chosen by the caller and makes the submission idempotent.</summary>
public sealed record ProposalSubmission(string IncidentId, string ChangeId, RouteRef Route, Proposal Proposal);

/// <summary>Undo of an applied change: UndoChangeId identifies the undo itself (idempotent per id).</summary>
public sealed record UndoSubmission(string IncidentId, string ChangeId, string UndoChangeId, RouteRef Route, string Reason);

public enum DecisionStatus
{
    /// <summary>Policy allowed it and the bridge applied it (or had already applied this change id).</summary>
    Applied,

    /// <summary>Policy allowed it; the route is in dry-run mode, so it was only recorded.</summary>
    DryRun,

    /// <summary>Policy denied it; nothing was applied. Verdict.Violations names every broken rule.</summary>
    Denied,

    /// <summary>Policy allowed it but the action needs a human: waiting for an approval call.</summary>
    AwaitingApproval,

    /// <summary>A human rejected it, or nobody approved it before the approval timeout.</summary>
    Rejected,

    /// <summary>The bridge refused or failed (Error says why); nothing was applied by this call.</summary>
    Failed,

    /// <summary>An undo restored the weights from before the change.</summary>
    Undone,
}

/// <summary>What the guardrail decided and did for one change id.</summary>
public sealed record GuardrailDecision(
    string ChangeId,
    DecisionStatus Status,
    Verdict? Verdict,
    RouteChange? Change,
    ChangeResult? Result,
    string? Error,
    DateTimeOffset DecidedAt)
{
    /// <summary>Every violated rule, "rule: message", for the audit trail and logs.</summary>
    public IReadOnlyList<string> Reasons =>
        Verdict is null ? (Error is null ? [] : [Error]) : [.. Verdict.Violations.Select(v => $"{v.Rule}: {v.Message}")];
}

/// <summary>A human's answer to a change that policy sent for approval.</summary>
public sealed record ApprovalAnswer(string ChangeId, bool Approved, string Approver, string? Reason);
