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

/// <summary>Triage measured the workload and the measurement does not confirm the alerts (the named backend is
/// within bounds, or there is no data). Nothing is planned; the machine re-checks for a bounded time.</summary>
public sealed record SignalUnconfirmed(string Summary) : IncidentEvent;

/// <summary>Health after the change: whether fresh samples show the faulty backends better than at triage, and
/// whether every backend is within bounds.</summary>
public sealed record HealthChecked(HealthVerdict Verdict, bool Healthy, string Summary) : IncidentEvent;

/// <summary>The loop measured a workload whose incident was handed to humans, as new alerts joined it: the backends
/// out of bounds now that were not at triage. Any is a materially new signal (after the cool-down).</summary>
public sealed record SignalChecked(IReadOnlyList<string> NewlyOutOfBounds, string Summary) : IncidentEvent;

/// <summary>A person acknowledged the incident, or closed one the loop has handed to humans.</summary>
public sealed record OperatorAnswered(string IncidentId, OperatorVerb Verb, string By, string? Note) : IncidentEvent;

public enum OperatorVerb
{
    /// <summary>"I am on it": recorded on the incident, changes nothing else.</summary>
    Acknowledge,

    /// <summary>The problem is handled: the incident stops absorbing the workload's alerts.</summary>
    Close,
}

public enum HealthVerdict
{
    /// <summary>Fresh samples show the faulty backends' traffic share or their errors went down (or all is healthy).</summary>
    Improved,

    /// <summary>Fresh samples show no improvement: the change is undone.</summary>
    NotImproved,

    /// <summary>No fresh samples to judge by: verification is extended, then escalated.</summary>
    Unknown,
}

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
