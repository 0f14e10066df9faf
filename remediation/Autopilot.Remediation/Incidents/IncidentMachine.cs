// Over 300 lines: one transition table for every incident event; splitting it by event would hide which phases each
// event may leave, which is what a reader of a state machine needs to see at once.
using System.Globalization;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Proposals;

namespace Autopilot.Remediation.Incidents;

/// <summary>
/// The incident state machine of one workload. Every transition is a pure function of (state, event, clock):
/// it returns the new state and the commands the host must run, or rejects the event with a reason.
/// </summary>
public sealed class IncidentMachine(IncidentMachineOptions? options = null)
{
    private readonly IncidentMachineOptions _options = options ?? IncidentMachineOptions.Default;

    public IncidentMachineOptions Options => _options;

    public Transition Apply(IncidentState state, IncidentEvent incidentEvent, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(incidentEvent);
        if (incidentEvent is AlertsReceived received) return OnAlerts(state, received.Alerts, now);
        if (incidentEvent is OperatorAnswered answer) return OnOperator(state, answer, now);
        if (incidentEvent is SignalChecked signal) return OnSignalChecked(state, signal, now);

        if (state.Current is not { } incident)
            return Reject(state, $"{Describe(incidentEvent)} needs an incident, but workload {state.Workload} has none.");
        if (incident.Phase.IsClosed())
            return Reject(state, $"{Describe(incidentEvent)} arrived for incident {incident.Id}, which is closed ({incident.Phase}).");

        return incidentEvent switch
        {
            TriageStarted => incident.Phase == IncidentPhase.Firing
                ? Move(state, incident, IncidentPhase.Triaging, now, "triage started")
                : WrongPhase(state, incidentEvent, IncidentPhase.Firing),
            SignalUnconfirmed unconfirmed => OnUnconfirmed(state, incident, unconfirmed, now),
            ProposalReady ready => OnProposal(state, incident, ready, now),
            ChangeApproved approved => OnApproved(state, incident, approved, now),
            ChangeRefused refused => OnRefused(state, incident, refused, now),
            ChangeApplied applied => OnApplied(state, incident, applied, now),
            VerificationDue => OnVerificationDue(state, incident, now),
            HealthChecked check => OnHealthChecked(state, incident, check, now),
            ChangeUndone undone => OnUndone(state, incident, undone, now),
            RestoreFinished finished => OnRestoreFinished(state, incident, finished, now),
            _ => Reject(state, $"{Describe(incidentEvent)} is not an event this machine knows."),
        };
    }

    /// <summary>
    /// The commands that re-drive the open incident from its current phase, for a host that lost track (a crash
    /// between persisting a transition and finishing its commands). Every command is safe to repeat: downstream
    /// steps are idempotent by the incident's deterministic change/undo/restore ids.
    /// </summary>
    public IReadOnlyList<IncidentCommand> Resume(IncidentState state)
    {
        if (state.Current is not { } incident || incident.Phase.IsClosed()) return [];
        return incident.Phase switch
        {
            IncidentPhase.Firing or IncidentPhase.Triaging => [new BeginTriage(incident.Id)],
            IncidentPhase.Proposed when incident.AwaitingApproval => [new PollApproval(incident.ChangeId!, TimeSpan.Zero)],
            IncidentPhase.Proposed or IncidentPhase.Approved => [new SubmitProposal(incident.Id, incident.ChangeId!, incident.Proposal!)],
            IncidentPhase.Verifying when incident.UndoChangeId is not null =>
                [new UndoChange(incident.Id, incident.ChangeId!, incident.UndoChangeId, "verification failed")],
            IncidentPhase.Applied or IncidentPhase.Verifying => [new ScheduleVerification(TimeSpan.Zero)],
            IncidentPhase.Restoring => [new StartRestore(incident.Id, incident.RestoreId!)],
            _ => [],
        };
    }

    /// <summary>True when the fingerprint flipped between firing and resolved FlapThreshold times within FlapWindow.</summary>
    public bool IsFlapping(AlertTrack track, DateTimeOffset now) =>
        track.StatusChanges.Count(at => now - at <= _options.FlapWindow) >= _options.FlapThreshold;

    private Transition OnAlerts(IncidentState state, IReadOnlyList<Alert> alerts, DateTimeOffset now)
    {
        if (alerts.Count == 0) return Reject(state, "AlertsReceived carried no alerts.");

        var tracks = new Dictionary<string, AlertTrack>(state.Alerts, StringComparer.Ordinal);
        var openIncident = state.HasOpenIncident ? state.Current : null;
        var held = openIncident is null ? state.Held(now, _options.HoldLimit) : null;
        var freshlyFiring = new List<string>(); // new fingerprints, or ones that fire again after resolving
        long duplicates = 0;
        var flapping = new List<string>();

        foreach (var alert in alerts)
        {
            var fingerprint = alert.Fingerprint;
            if (tracks.TryGetValue(fingerprint, out var track))
            {
                var flipped = track.Status != alert.Status;
                var changes = flipped ? Append(track.StatusChanges, now, _options.FlapThreshold * 2) : track.StatusChanges;
                track = track with { Status = alert.Status, LastSeen = now, Occurrences = track.Occurrences + 1, StatusChanges = changes };
                if (flipped && alert.Status == AlertStatus.Firing)
                {
                    if (IsFlapping(track, now)) flapping.Add(fingerprint);
                    else if (!freshlyFiring.Contains(fingerprint)) freshlyFiring.Add(fingerprint);
                }
                else if (!flipped)
                {
                    duplicates++;
                }
            }
            else
            {
                track = new AlertTrack(fingerprint, alert.Name, alert.Status, now, now, 1, [], null);
                if (alert.Status == AlertStatus.Firing) freshlyFiring.Add(fingerprint);
            }
            tracks[fingerprint] = track;
        }

        if (held is not null) return OnAlertsWhileHeld(state, held, tracks, freshlyFiring.Concat(flapping).ToList(), duplicates, now);
        if (openIncident is null)
        {
            if (freshlyFiring.Count == 0)
            {
                // Duplicates of a closed incident's alerts, flapping re-fires and resolutions open nothing.
                var quiet = state with { Alerts = Prune(tracks, now), Suppressed = state.Suppressed + alerts.Count };
                return new Transition(quiet, [], null);
            }
            return Open(state, tracks, freshlyFiring, duplicates, null, now);
        }

        var incident = Join(openIncident, tracks, freshlyFiring.Concat(flapping), duplicates, now);
        var merged = state with { Current = incident, Alerts = Prune(tracks, now) };
        if (!AllResolved(incident, tracks)) return new Transition(merged, [], null);

        return incident.Phase switch
        {
            IncidentPhase.Firing or IncidentPhase.Triaging when incident.UnconfirmedChecks > 0 =>
                Close(merged, incident, IncidentPhase.Resolved, now, $"not confirmed: the alerts resolved and {incident.UnconfirmedChecks} measurement(s) never confirmed them", escalate: false),
            IncidentPhase.Firing or IncidentPhase.Triaging =>
                Close(merged, incident, IncidentPhase.Resolved, now, "alerts resolved before any change was needed", escalate: false),
            // Health has to hold for a while after resolution before traffic goes back.
            IncidentPhase.Applied or IncidentPhase.Verifying when incident.UndoChangeId is null =>
                new Transition(merged, [new ScheduleVerification(_options.ResolveHoldDelay)], null),
            _ => new Transition(merged, [], null),
        };
    }

    private Transition Open(IncidentState state, Dictionary<string, AlertTrack> tracks, IReadOnlyList<string> fingerprints, long duplicates,
        Incident? follows, DateTimeOffset now)
    {
        var sequence = state.Sequence + 1;
        var id = NewIncidentId(state.Workload, now, sequence);
        foreach (var fingerprint in fingerprints) tracks[fingerprint] = tracks[fingerprint] with { IncidentId = id };
        var names = fingerprints.Select(f => tracks[f].Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var reason = $"opened by {string.Join(", ", names)}" + (follows is null ? "" : $", a new signal for the problem of incident {follows.Id}");
        var opened = new Incident(id, IncidentPhase.Firing, now, now, null, null, fingerprints, duplicates,
            null, null, null, false, null, null, 0, null, null, null,
            [new PhaseChange(now, IncidentPhase.Firing, IncidentPhase.Firing, reason)])
        {
            TriagedNames = names,
            Follows = follows?.Id,
        };
        var openedState = state with { Sequence = sequence, Current = opened, Alerts = Prune(tracks, now) };
        return new Transition(openedState, [new BeginTriage(id)], null);
    }

    /// <summary>
    /// Alerts for a workload whose last incident was handed to humans (escalated, denied, rolled back) while its
    /// alerts still fire: they join that incident, counted, without a new model call or a new escalation; Alertmanager
    /// sends a group's alerts as pods join it, and one problem must page once. Only a materially new signal (an alert
    /// name triage has not seen) after the cool-down triages again, as a new incident that takes over.
    /// </summary>
    private Transition OnAlertsWhileHeld(IncidentState state, Incident held, Dictionary<string, AlertTrack> tracks,
        IReadOnlyList<string> firing, long duplicates, DateTimeOffset now)
    {
        var incident = Join(held, tracks, firing, duplicates, now);
        var newNames = incident.Fingerprints
            .Select(f => tracks.GetValueOrDefault(f))
            .Where(t => t is { Status: AlertStatus.Firing } && !held.TriagedNames.Contains(t.Name, StringComparer.Ordinal))
            .Select(t => t!.Name).Distinct(StringComparer.Ordinal).ToList();
        if (newNames.Count > 0 && now - held.OpenedAt >= _options.RetriageCooldown)
        {
            var stillFiring = incident.Fingerprints.Where(f => tracks.GetValueOrDefault(f) is { Status: AlertStatus.Firing }).ToList();
            return Open(state, tracks, stillFiring, 0, incident, now);
        }

        if (AllResolved(incident, tracks)) incident = Settle(incident, now, "its alerts resolved");
        return new Transition(state with { Current = incident, Alerts = Prune(tracks, now) }, [], null);
    }

    /// <summary>Whether the held incident is due a measurement for a new signal: past the cool-down since it opened
    /// and since the last such measurement, so a stream of joining alerts costs at most one query per cool-down.</summary>
    public bool SignalCheckDue(IncidentState state, DateTimeOffset now) =>
        state.Held(now, _options.HoldLimit) is { } held
        && now - held.OpenedAt >= _options.RetriageCooldown
        && (held.SignalCheckedAt is not { } last || now - last >= _options.RetriageCooldown)
        && held.Fingerprints.Any(f => state.Alerts.GetValueOrDefault(f) is { Status: AlertStatus.Firing });

    private Transition OnSignalChecked(IncidentState state, SignalChecked signal, DateTimeOffset now)
    {
        if (state.Held(now, _options.HoldLimit) is not { } held)
            return Reject(state, $"SignalChecked needs an incident handed to humans and still held; {state.Workload} has none.");
        if (signal.NewlyOutOfBounds.Count == 0)
            return new Transition(state with { Current = held with { SignalCheckedAt = now } }, [], null);
        var tracks = new Dictionary<string, AlertTrack>(state.Alerts, StringComparer.Ordinal);
        var stillFiring = held.Fingerprints.Where(f => tracks.GetValueOrDefault(f) is { Status: AlertStatus.Firing }).ToList();
        if (stillFiring.Count == 0) return Reject(state, $"incident {held.Id} has no firing alert left to triage again.");
        return Open(state, tracks, stillFiring, 0, held, now);
    }

    private Transition OnOperator(IncidentState state, OperatorAnswered answer, DateTimeOffset now)
    {
        if (state.Current is not { } incident || incident.Id != answer.IncidentId)
            return Reject(state, $"incident {answer.IncidentId} is not the current incident of {state.Workload}{(state.Current is null ? "" : $" ({state.Current.Id})")}.");
        var said = string.IsNullOrWhiteSpace(answer.Note) ? "" : $": {answer.Note}";
        if (answer.Verb == OperatorVerb.Acknowledge)
        {
            var acknowledged = incident with
            {
                AcknowledgedBy = answer.By,
                AcknowledgedAt = now,
                History = [.. incident.History, new PhaseChange(now, incident.Phase, incident.Phase, $"acknowledged by {answer.By}{said}")],
            };
            return new Transition(state with { Current = acknowledged }, [], null);
        }
        if (!incident.Phase.IsClosed())
            return Reject(state, $"incident {incident.Id} is {incident.Phase}: the loop still owns it and closes it itself (alerts resolved, verified or escalated); only an incident handed to humans can be closed by hand.");
        if (incident.SettledAt is { } settledAt)
            return Reject(state, $"incident {incident.Id} was already settled at {settledAt:u}: {incident.Settlement}.");
        return new Transition(state with { Current = Settle(incident, now, $"closed by {answer.By}{said}") }, [], null);
    }

    private static Incident Settle(Incident incident, DateTimeOffset now, string why) => incident with
    {
        SettledAt = now,
        Settlement = why,
        UpdatedAt = now,
        History = [.. incident.History, new PhaseChange(now, incident.Phase, incident.Phase, $"settled: {why}")],
    };

    private static Incident Join(Incident incident, Dictionary<string, AlertTrack> tracks, IEnumerable<string> firing, long duplicates, DateTimeOffset now)
    {
        var fingerprints = incident.Fingerprints.ToList();
        foreach (var fingerprint in firing)
        {
            if (fingerprints.Contains(fingerprint)) continue;
            fingerprints.Add(fingerprint);
            tracks[fingerprint] = tracks[fingerprint] with { IncidentId = incident.Id };
        }
        return incident with { Fingerprints = fingerprints, Duplicates = incident.Duplicates + duplicates, UpdatedAt = now };
    }

    private static bool AllResolved(Incident incident, IReadOnlyDictionary<string, AlertTrack> tracks) =>
        incident.Fingerprints.All(f => !tracks.TryGetValue(f, out var t) || t.Status == AlertStatus.Resolved);

    private Transition OnUnconfirmed(IncidentState state, Incident incident, SignalUnconfirmed unconfirmed, DateTimeOffset now)
    {
        if (incident.Phase != IncidentPhase.Triaging) return WrongPhase(state, unconfirmed, IncidentPhase.Triaging);
        var checks = incident.UnconfirmedChecks + 1;
        var counted = incident with { UnconfirmedChecks = checks };
        if (checks >= _options.MaxUnconfirmedChecks)
            return Close(state, counted, IncidentPhase.Escalated, now,
                $"the alerts still fire, but {checks} measurements over {now - incident.OpenedAt:g} did not confirm them: {unconfirmed.Summary}", escalate: true);
        var waiting = counted with
        {
            UpdatedAt = now,
            History = [.. incident.History, new PhaseChange(now, incident.Phase, incident.Phase, $"not confirmed ({checks} of {_options.MaxUnconfirmedChecks}): {unconfirmed.Summary}")],
        };
        return new Transition(state with { Current = waiting }, [new ScheduleRecheck(_options.UnconfirmedRecheckDelay)], null);
    }

    private Transition OnProposal(IncidentState state, Incident incident, ProposalReady ready, DateTimeOffset now)
    {
        if (incident.Phase != IncidentPhase.Triaging) return WrongPhase(state, ready, IncidentPhase.Triaging);
        var withProposal = incident with { Proposal = ready.Proposal, ProposalSource = ready.Source };
        return ready.Proposal switch
        {
            Escalate escalate => Close(state, withProposal, IncidentPhase.Escalated, now, $"escalated: {escalate.Reason}", escalate: true),
            NoAction noAction => Close(state, withProposal, IncidentPhase.Resolved, now, $"no action: {noAction.Reason}", escalate: false),
            _ => Submit(state, withProposal, now, ready.Summary),
        };
    }

    private Transition Submit(IncidentState state, Incident incident, DateTimeOffset now, string summary)
    {
        var changeId = incident.NewChangeId();
        var proposed = incident with { ChangeId = changeId };
        var moved = Move(state, proposed, IncidentPhase.Proposed, now, $"proposed {incident.Proposal!.Action}: {summary}");
        return moved with { Commands = [new SubmitProposal(incident.Id, changeId, incident.Proposal!)] };
    }

    private Transition OnApproved(IncidentState state, Incident incident, ChangeApproved approved, DateTimeOffset now)
    {
        if (incident.Phase != IncidentPhase.Proposed) return WrongPhase(state, approved, IncidentPhase.Proposed);
        if (approved.ChangeId != incident.ChangeId) return WrongChange(state, incident, approved.ChangeId);
        if (approved.AwaitingHuman)
        {
            var waiting = incident with { AwaitingApproval = true, UpdatedAt = now };
            return new Transition(state with { Current = waiting }, [new PollApproval(approved.ChangeId, _options.ApprovalPollInterval)], null);
        }
        return Move(state, incident with { AwaitingApproval = false }, IncidentPhase.Approved, now, "guardrail allowed the change");
    }

    private Transition OnRefused(IncidentState state, Incident incident, ChangeRefused refused, DateTimeOffset now)
    {
        if (incident.Phase is not (IncidentPhase.Proposed or IncidentPhase.Approved))
            return WrongPhase(state, refused, IncidentPhase.Proposed, IncidentPhase.Approved);
        if (refused.ChangeId != incident.ChangeId) return WrongChange(state, incident, refused.ChangeId);
        var settled = incident with { AwaitingApproval = false };
        return refused.Kind switch
        {
            RefusalKind.Denied => Close(state, settled, IncidentPhase.Denied, now, $"denied by policy: {refused.Reason}", escalate: true),
            RefusalKind.Rejected => Close(state, settled, IncidentPhase.Denied, now, $"not approved: {refused.Reason}", escalate: true),
            RefusalKind.DryRun => Close(state, settled, IncidentPhase.Escalated, now, $"dry-run, nothing applied: {refused.Reason}", escalate: true),
            _ => Close(state, settled, IncidentPhase.Escalated, now, $"change failed: {refused.Reason}", escalate: true),
        };
    }

    private Transition OnApplied(IncidentState state, Incident incident, ChangeApplied applied, DateTimeOffset now)
    {
        if (incident.Phase != IncidentPhase.Approved) return WrongPhase(state, applied, IncidentPhase.Approved);
        if (applied.ChangeId != incident.ChangeId) return WrongChange(state, incident, applied.ChangeId);
        var changed = incident with { WeightsBefore = applied.Before, WeightsAfter = applied.After };
        var moved = Move(state, changed, IncidentPhase.Applied, now, $"applied {Weights(applied.After)} (was {Weights(applied.Before)})");
        return moved with { Commands = [new ScheduleVerification(_options.VerifyDelay)] };
    }

    private Transition OnVerificationDue(IncidentState state, Incident incident, DateTimeOffset now)
    {
        if (incident.Phase is not (IncidentPhase.Applied or IncidentPhase.Verifying) || incident.UndoChangeId is not null)
            return Reject(state, $"VerificationDue arrived for incident {incident.Id} in phase {incident.Phase}{(incident.UndoChangeId is null ? "" : " while its change is being undone")}; nothing to verify.");
        var moved = incident.Phase == IncidentPhase.Applied
            ? Move(state, incident, IncidentPhase.Verifying, now, "verification due")
            : new Transition(state with { Current = incident with { UpdatedAt = now } }, [], null);
        return moved with { Commands = [new CheckHealth(incident.Id)] };
    }

    private Transition OnHealthChecked(IncidentState state, Incident incident, HealthChecked check, DateTimeOffset now)
    {
        if (incident.Phase != IncidentPhase.Verifying || incident.UndoChangeId is not null)
            return WrongPhase(state, check, IncidentPhase.Verifying);
        var improved = check.Verdict == HealthVerdict.Improved;
        var checkedIncident = incident with
        {
            Verifications = incident.Verifications + 1,
            LastImproved = check.Verdict == HealthVerdict.Unknown ? incident.LastImproved : improved,
            UpdatedAt = now,
        };

        if (check.Verdict == HealthVerdict.NotImproved)
        {
            var undoing = checkedIncident with { UndoChangeId = checkedIncident.NewUndoChangeId() };
            return new Transition(state with { Current = undoing },
                [new UndoChange(incident.Id, incident.ChangeId!, undoing.UndoChangeId!, $"health did not improve: {check.Summary}")], null);
        }

        var allResolved = AllResolved(checkedIncident, state.Alerts);
        if (allResolved && check.Healthy && improved)
        {
            if (!WeightsChanged(checkedIncident))
                return Close(state, checkedIncident, IncidentPhase.Resolved, now, $"alerts resolved and health holds; {incident.Proposal?.Action} left in place", escalate: false);
            var restoring = checkedIncident with { RestoreId = checkedIncident.NewRestoreId() };
            var moved = Move(state, restoring, IncidentPhase.Restoring, now, $"alerts resolved and health holds: {check.Summary}");
            return moved with { Commands = [new StartRestore(incident.Id, restoring.RestoreId!)] };
        }

        if (checkedIncident.Verifications >= _options.MaxVerifications && check.Verdict == HealthVerdict.Unknown)
            return Close(state, checkedIncident, IncidentPhase.Escalated, now,
                $"health could not be judged after {checkedIncident.Verifications} checks ({check.Summary}); change left in place", escalate: true);
        if (checkedIncident.Verifications >= _options.MaxVerifications)
            return Close(state, checkedIncident, IncidentPhase.Escalated, now,
                $"the change helps but alerts still fire after {checkedIncident.Verifications} checks; change left in place", escalate: true);

        return new Transition(state with { Current = checkedIncident }, [new ScheduleVerification(_options.VerifyDelay)], null);
    }

    private Transition OnUndone(IncidentState state, Incident incident, ChangeUndone undone, DateTimeOffset now)
    {
        if (incident.Phase != IncidentPhase.Verifying || incident.UndoChangeId is null)
            return Reject(state, $"ChangeUndone arrived for incident {incident.Id} in phase {incident.Phase} with no undo pending.");
        if (undone.UndoChangeId != incident.UndoChangeId) return WrongChange(state, incident, undone.UndoChangeId);
        return undone.Succeeded
            ? Close(state, incident, IncidentPhase.RolledBack, now, $"verification failed, change undone: {undone.Summary}", escalate: true)
            : Close(state, incident, IncidentPhase.Escalated, now, $"verification failed and the undo failed: {undone.Summary}", escalate: true);
    }

    private Transition OnRestoreFinished(IncidentState state, Incident incident, RestoreFinished finished, DateTimeOffset now)
    {
        if (incident.Phase != IncidentPhase.Restoring) return WrongPhase(state, finished, IncidentPhase.Restoring);
        if (finished.RestoreId != incident.RestoreId) return WrongChange(state, incident, finished.RestoreId);
        return finished.Completed
            ? Close(state, incident, IncidentPhase.Resolved, now, $"traffic restored: {finished.Summary}", escalate: false)
            : Close(state, incident, IncidentPhase.Escalated, now, $"restore stopped and compensated: {finished.Summary}", escalate: true);
    }

    private static Transition Move(IncidentState state, Incident incident, IncidentPhase to, DateTimeOffset now, string reason)
    {
        var moved = incident with
        {
            Phase = to,
            UpdatedAt = now,
            History = [.. incident.History, new PhaseChange(now, incident.Phase, to, reason)],
        };
        return new Transition(state with { Current = moved }, [], null);
    }

    /// <summary>Ends the loop's work on the incident. Handed to humans while its alerts still fire, it stays the
    /// workload's incident (held, see <see cref="OnAlertsWhileHeld"/>); resolved, or with every alert resolved, it is
    /// settled at once.</summary>
    private static Transition Close(IncidentState state, Incident incident, IncidentPhase to, DateTimeOffset now, string outcome, bool escalate)
    {
        var closed = incident with { ClosedAt = now, Outcome = outcome, AwaitingApproval = false };
        if (AllResolved(incident, state.Alerts)) closed = closed with { SettledAt = now, Settlement = "its alerts resolved" };
        else if (to == IncidentPhase.Resolved) closed = closed with { SettledAt = now, Settlement = "resolved by the loop" };
        var moved = Move(state, closed, to, now, outcome);
        IncidentCommand[] commands = escalate
            ? [new NotifyEscalation(incident.Id, outcome), new CloseIncident(incident.Id, to, outcome)]
            : [new CloseIncident(incident.Id, to, outcome)];
        return moved with { Commands = commands };
    }

    private IReadOnlyDictionary<string, AlertTrack> Prune(Dictionary<string, AlertTrack> tracks, DateTimeOffset now)
    {
        foreach (var stale in tracks.Values.Where(t => t.Status == AlertStatus.Resolved && now - t.LastSeen > _options.AlertRetention).ToList())
            tracks.Remove(stale.Fingerprint);
        if (tracks.Count > _options.MaxTrackedAlerts)
        {
            var excess = tracks.Values
                .OrderBy(t => t.Status == AlertStatus.Firing ? 1 : 0)
                .ThenBy(t => t.LastSeen)
                .Take(tracks.Count - _options.MaxTrackedAlerts)
                .ToList();
            foreach (var track in excess) tracks.Remove(track.Fingerprint);
        }
        return tracks;
    }

    private static bool WeightsChanged(Incident incident) =>
        incident.WeightsBefore is { } before && incident.WeightsAfter is { } after &&
        !before.OrderBy(w => w.Name, StringComparer.Ordinal).SequenceEqual(after.OrderBy(w => w.Name, StringComparer.Ordinal));

    private static IReadOnlyList<DateTimeOffset> Append(IReadOnlyList<DateTimeOffset> items, DateTimeOffset item, int keep) =>
        [.. items.Skip(Math.Max(0, items.Count + 1 - keep)), item];

    private static string NewIncidentId(string workload, DateTimeOffset now, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{workload.Replace('/', '.')}.{now.UtcDateTime:yyyyMMddTHHmmss}Z.{sequence}");

    private static string Weights(IReadOnlyList<Routing.BackendWeight> weights) =>
        string.Join(" ", weights.Select(w => $"{w.Name}={w.Weight}"));

    private static Transition Reject(IncidentState state, string reason) => new(state, [], reason);

    private static Transition WrongPhase(IncidentState state, IncidentEvent incidentEvent, params IncidentPhase[] expected) =>
        Reject(state, $"{Describe(incidentEvent)} is only valid in phase {string.Join(" or ", expected)}, but incident {state.Current!.Id} is {state.Current.Phase}{(state.Current.UndoChangeId is null ? "" : " (undo pending)")}.");

    private static Transition WrongChange(IncidentState state, Incident incident, string id) =>
        Reject(state, $"id '{id}' does not belong to incident {incident.Id} (change {incident.ChangeId ?? "-"}, undo {incident.UndoChangeId ?? "-"}, restore {incident.RestoreId ?? "-"}).");

    private static string Describe(IncidentEvent incidentEvent) => incidentEvent.GetType().Name;
}
