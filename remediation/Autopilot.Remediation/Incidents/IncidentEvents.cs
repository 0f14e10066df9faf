using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Incidents;

/// <summary>Something that happened to a workload's incident. Fed to <see cref="IncidentMachine.Apply"/>.</summary>
public abstract record IncidentEvent;

/// <summary>Alerts for this workload arrived (firing or resolved, duplicates included).</summary>
public sealed record AlertsReceived(IReadOnlyList<Alert> Alerts) : IncidentEvent;

/// <summary>The process began perceiving and planning for the open incident.</summary>
public sealed record TriageStarted : IncidentEvent;

/// <summary>Planning produced a proposal (from the model, or the SOP's default action when the model failed).</summary>
public sealed record ProposalReady(Proposal Proposal, ProposalSource Source, string Summary) : IncidentEvent;

/// <summary>The guardrail allowed the change (it may still be waiting for a human).</summary>
public sealed record ChangeApproved(string ChangeId, bool AwaitingHuman) : IncidentEvent;

/// <summary>The guardrail (or a human) refused the change, or the bridge could not apply it. Nothing was applied.</summary>
public sealed record ChangeRefused(string ChangeId, RefusalKind Kind, string Reason) : IncidentEvent;

/// <summary>The approved change is on the route.</summary>
public sealed record ChangeApplied(
    string ChangeId,
    IReadOnlyList<BackendWeight> Before,
    IReadOnlyList<BackendWeight> After) : IncidentEvent;

/// <summary>The verification reminder fired.</summary>
public sealed record VerificationDue : IncidentEvent;

/// <summary>Health after the change. Improved = better than at triage; Healthy = within thresholds.</summary>
public sealed record HealthChecked(bool Improved, bool Healthy, string Summary) : IncidentEvent;

/// <summary>The change was undone (Succeeded) or the undo failed.</summary>
public sealed record ChangeUndone(string UndoChangeId, bool Succeeded, string Summary) : IncidentEvent;

/// <summary>The progressive restore finished: Completed, or compensated back to the last healthy weights.</summary>
public sealed record RestoreFinished(string RestoreId, bool Completed, string Summary) : IncidentEvent;

public enum ProposalSource
{
    Model,
    SopDefault,
    Fallback,
}

public enum RefusalKind
{
    /// <summary>Policy denied it.</summary>
    Denied,

    /// <summary>A human rejected it or the approval timed out.</summary>
    Rejected,

    /// <summary>Allowed, but the route is in dry-run: recorded, not applied.</summary>
    DryRun,

    /// <summary>The bridge refused or failed.</summary>
    Failed,
}
