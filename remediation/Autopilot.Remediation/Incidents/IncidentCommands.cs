using Autopilot.Remediation.Proposals;

namespace Autopilot.Remediation.Incidents;

/// <summary>Work the machine asks its host to do after a transition (the machine itself does no I/O).</summary>
public abstract record IncidentCommand;

/// <summary>Perceive, compact, retrieve and plan for the incident.</summary>
public sealed record BeginTriage(string IncidentId) : IncidentCommand;

/// <summary>Hand the proposal to the route's guardrail under this change id (idempotent per id).</summary>
public sealed record SubmitProposal(string IncidentId, string ChangeId, Proposal Proposal) : IncidentCommand;

/// <summary>Ask the guardrail again, after the delay, whether a human approved the change.</summary>
public sealed record PollApproval(string ChangeId, TimeSpan After) : IncidentCommand;

/// <summary>Deliver <see cref="VerificationDue"/> after the delay.</summary>
public sealed record ScheduleVerification(TimeSpan After) : IncidentCommand;

/// <summary>Deliver another <see cref="BeginTriage"/> after the delay (the last measurement did not confirm the alerts).</summary>
public sealed record ScheduleRecheck(TimeSpan After) : IncidentCommand;

/// <summary>Read health now and answer with <see cref="HealthChecked"/>.</summary>
public sealed record CheckHealth(string IncidentId) : IncidentCommand;

/// <summary>Undo the applied change through the guardrail and answer with <see cref="ChangeUndone"/>.</summary>
public sealed record UndoChange(string IncidentId, string ChangeId, string UndoChangeId, string Reason) : IncidentCommand;

/// <summary>Start the progressive restore; it answers with <see cref="RestoreFinished"/>.</summary>
public sealed record StartRestore(string IncidentId, string RestoreId) : IncidentCommand;

/// <summary>Humans must look at this incident.</summary>
public sealed record NotifyEscalation(string IncidentId, string Reason) : IncidentCommand;

/// <summary>The incident closed: cancel its reminders, write the final audit record.</summary>
public sealed record CloseIncident(string IncidentId, IncidentPhase Phase, string Outcome) : IncidentCommand;
