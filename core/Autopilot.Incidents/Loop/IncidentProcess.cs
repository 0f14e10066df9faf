// Over 300 lines: the whole incident loop (triage with its confirmation, hand-over, verify, undo, restore, escalate, the
// new-signal check of a held incident, a person's answers, the notifications' outcome) in one class because every step
// reads and writes the same turn state; each step is one method, the pure parts live in Triage, AlertConfirmation and
// HealthJudge.
using System.Diagnostics;
using Autopilot.Incidents.Health;
using Autopilot.Incidents.Notifications;
using Autopilot.Incidents.Planning;
using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Restore;
using Autopilot.Incidents.Telemetry;
using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Knowledge;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;
using Microsoft.Extensions.Logging;

namespace Autopilot.Incidents.Loop;

/// <summary>
/// The incident loop of one workload: feeds events to the <see cref="IncidentMachine"/>, persists each
/// transition, then runs the commands it returns (perceive → compact → retrieve → plan → guardrail, verification,
/// undo, restore, escalation) and records all of it in the audit trail. The host delivers one call at a time per
/// workload. A step that does not finish (crash, unreachable dependency) is re-driven by the "resume" reminder;
/// every downstream step is idempotent by the incident's deterministic ids, so a retry never changes traffic twice.
/// </summary>
public sealed class IncidentProcess(
    WorkloadKey workload,
    IKeyedState<IncidentProcessState> state,
    IReminders reminders,
    IncidentServices services)
{
    public const string VerifyReminder = "verify";
    public const string ApprovalReminder = "approval";
    public const string ResumeReminder = "resume";
    public const string RecheckReminder = "recheck";
    private const int MaxSteps = 200;

    private readonly ILogger _logger = services.Logger;
    private readonly RouteRef _route = services.Options.RouteFor(workload);

    public WorkloadKey Workload => workload;

    public async Task HandleAlertsAsync(IReadOnlyList<Alert> alerts, CancellationToken ct)
    {
        if (alerts.Count == 0) return;
        await RunAsync(new AlertsReceived(alerts), ct);
        var turn = await LoadAsync(ct);
        if (services.Machine.SignalCheckDue(turn.Machine, services.Time.GetUtcNow())) await CheckForNewSignalAsync(turn, ct);
    }

    /// <summary>
    /// Alerts keep joining an incident handed to humans; a backend out of bounds now that was not at triage is a new
    /// problem on the same workload (the stable backend failing too) and earns a new triage. Unreadable health is no
    /// new signal.
    /// </summary>
    private async Task CheckForNewSignalAsync(IncidentProcessState turn, CancellationToken ct)
    {
        var seen = await PerceiveAsync(ct);
        var bounds = turn.Record?.HealthBounds ?? services.Triage.Bounds;
        var atTriage = turn.Record?.FactSheet?.OutOfBounds ?? FactSheet.NothingOutOfBounds;
        var now = bounds.Judge(seen.Metrics, seen.Route?.StableBackend).Where(j => j.Value.Count > 0).ToList();
        var newly = now.Where(j => !atTriage.ContainsKey(j.Key)).Select(j => j.Key).Order(StringComparer.Ordinal).ToList();
        var summary = newly.Count == 0
            ? $"no new signal: {(now.Count == 0 ? "no backend" : string.Join(", ", now.Select(j => j.Key)))} out of bounds, as at triage or better"
            : "newly out of bounds: " + string.Join(", ", now.Where(j => newly.Contains(j.Key)).Select(j => $"{j.Key} {string.Join(' ', j.Value)}"));
        turn = Step(turn, "signal", 0, summary);
        await state.SetAsync(turn, ct);
        await RunAsync(new SignalChecked(newly, summary), ct);
    }

    public async Task ReceiveReminderAsync(string name, CancellationToken ct)
    {
        switch (name)
        {
            case VerifyReminder:
                await RunAsync(new VerificationDue(), ct);
                break;
            case ApprovalReminder:
                var waiting = await LoadAsync(ct);
                await RunCommandsAsync(waiting, [new PollApproval(CurrentChangeId(waiting), TimeSpan.Zero)], ct);
                break;
            case RecheckReminder:
                var unconfirmed = await LoadAsync(ct);
                if (unconfirmed.Machine.Current is { Phase: IncidentPhase.Triaging } incident)
                    await RunCommandsAsync(unconfirmed, [new BeginTriage(incident.Id)], ct);
                break;
            case ResumeReminder:
                var turn = await LoadAsync(ct);
                var commands = services.Machine.Resume(turn.Machine);
                _logger.LogInformation("Resuming incident {IncidentId} of {Workload} in {Phase} with {Count} command(s)",
                    turn.Machine.Current?.Id, workload, turn.Machine.Current?.Phase, commands.Count);
                await RunCommandsAsync(turn, commands, ct);
                break;
            default:
                _logger.LogWarning("Incident process of {Workload} ignored unknown reminder {Reminder}", workload, name);
                break;
        }
    }

    public async Task CompleteRestoreAsync(RestoreOutcome outcome, CancellationToken ct)
    {
        var turn = await LoadAsync(ct);
        if (turn.Record is { } record && record.IncidentId == outcome.IncidentId)
        {
            turn = turn with { Record = record with { Restore = outcome } };
            turn = Step(turn, "restore", 0, $"{(outcome.Completed ? "completed" : "stopped")}: {ProgressiveRestore.Describe(outcome.Steps)}"
                + (outcome.FailureReason is { } why ? $"; {why}" : ""));
            await state.SetAsync(turn, ct);
        }
        var summary = outcome.Completed ? ProgressiveRestore.Summarise(outcome.Steps) : outcome.FailureReason ?? "failed";
        await RunAsync(new RestoreFinished(outcome.RestoreId, outcome.Completed, summary), ct);
    }

    public async Task<IncidentProcessState> ReadAsync(CancellationToken ct) => await LoadAsync(ct);

    /// <summary>Records a receiver's answer to a notification on its incident: the current one in the process state (a
    /// failure also as a "notify" step), an earlier one in the journal, where its record now lives.</summary>
    public async Task RecordNotificationAsync(NotificationDelivery delivery, CancellationToken ct)
    {
        var turn = await LoadAsync(ct);
        if (turn.Record is { } record && record.IncidentId == delivery.IncidentId)
        {
            turn = turn with { Record = IncidentNotifier.WithDelivery(record, delivery) };
            if (!delivery.Delivered) turn = Step(turn, "notify", 0, IncidentNotifier.Describe(delivery));
            await state.SetAsync(turn, ct);
            await JournalAsync(turn, ct);
        }
        else if (await services.Journal.GetAsync(delivery.IncidentId, ct) is { } earlier)
        {
            await services.Journal.RecordAsync(IncidentNotifier.WithDelivery(earlier, delivery), ct);
        }
    }

    /// <summary>A person acknowledges or closes the workload's incident. Returns why it was refused, or null when done.</summary>
    public async Task<string?> AnswerAsync(OperatorAnswered answer, CancellationToken ct)
    {
        var turn = await LoadAsync(ct);
        var transition = services.Machine.Apply(turn.Machine, answer, services.Time.GetUtcNow());
        if (!transition.Accepted) return transition.Rejection;
        await RunAsync(answer, ct);
        return null;
    }

    private async Task RunAsync(IncidentEvent first, CancellationToken ct)
    {
        var turn = await LoadAsync(ct);
        var pending = new List<IncidentCommand>();
        var applied = await ApplyAsync(turn, first, pending, ct);
        if (applied is null) return;
        await RunCommandsAsync(applied, pending, ct);
    }

    /// <summary>Runs commands (and the events they produce) until none are left. Failures leave the "resume"
    /// reminder in place so the step is retried later; they never escape to the caller that delivered the event.</summary>
    private async Task RunCommandsAsync(IncidentProcessState turn, IReadOnlyList<IncidentCommand> commands, CancellationToken ct)
    {
        if (commands.Count == 0)
        {
            await JournalAsync(turn, ct);
            return;
        }

        var queue = new Queue<IncidentCommand>(commands);
        await reminders.ScheduleAsync(ResumeReminder, services.Options.StepRetryDelay, ct);
        try
        {
            while (queue.TryDequeue(out var command))
            {
                var (next, events) = await ExecuteAsync(turn, command, ct);
                turn = next;
                foreach (var incidentEvent in events)
                {
                    var produced = new List<IncidentCommand>();
                    turn = await ApplyAsync(turn, incidentEvent, produced, ct) ?? turn;
                    foreach (var c in produced) queue.Enqueue(c);
                }
            }
            await reminders.CancelAsync(ResumeReminder, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            _logger.LogError(e, "Incident step failed for {Workload}; retrying in {Delay}", workload, services.Options.StepRetryDelay);
            turn = await LoadAsync(ct);
            turn = Step(turn, "error", 0, $"{e.GetType().Name}: {e.Message} (retry in {services.Options.StepRetryDelay})");
            await state.SetAsync(turn, ct);
        }
        await JournalAsync(turn, ct);
    }

    /// <summary>Applies one event; persists and returns the new state, or null (nothing persisted) when rejected.</summary>
    private async Task<IncidentProcessState?> ApplyAsync(IncidentProcessState turn, IncidentEvent incidentEvent, List<IncidentCommand> commands, CancellationToken ct)
    {
        var now = services.Time.GetUtcNow();
        var transition = services.Machine.Apply(turn.Machine, incidentEvent, now);
        if (!transition.Accepted)
        {
            _logger.LogInformation("Incident event {Event} for {Workload} not applied: {Reason}", incidentEvent.GetType().Name, workload, transition.Rejection);
            return null;
        }

        var next = turn with { Machine = transition.State };
        if (transition.State.Current is { } incident)
        {
            var record = turn.Record is { } existing && existing.IncidentId == incident.Id ? existing : null;
            if (record is null && turn.Record is { } previous && incident.Follows == previous.IncidentId)
                await JournalAsync(turn with { Record = previous with { UpdatedAt = now, SettledAt = now, Settlement = $"a new signal: incident {incident.Id} took over" } }, ct);
            if (record is null)
            {
                record = IncidentRecord.Open(incident.Id, workload, incident.OpenedAt);
                // Taking over on a new signal: the still-firing alerts come along, so triage sees them.
                if (turn.Record is { } taken && incident.Follows == taken.IncidentId)
                    record = record with { Alerts = CarriedOver(taken.Alerts, incident) };
                services.Telemetry.IncidentsOpened.Add(1);
                services.Telemetry.IncidentsOpen.Add(1);
                _logger.LogWarning("Incident {IncidentId} opened for {Workload}", incident.Id, workload);
            }
            if (incidentEvent is AlertsReceived received) record = record with { Alerts = Digest(record.Alerts, received.Alerts, incident) };
            record = record with
            {
                Phase = incident.Phase,
                UpdatedAt = now,
                ClosedAt = incident.ClosedAt,
                Outcome = incident.Outcome,
                Proposal = incident.Proposal ?? record.Proposal,
                SettledAt = incident.SettledAt,
                Settlement = incident.Settlement,
                AcknowledgedBy = incident.AcknowledgedBy,
                AcknowledgedAt = incident.AcknowledgedAt,
                Follows = incident.Follows,
            };
            next = next with { Record = services.Notifier.Notify(turn.Machine.Current, incident, record) };
        }
        await state.SetAsync(next, ct);
        commands.AddRange(transition.Commands);
        return next;
    }

    private async Task<(IncidentProcessState, IReadOnlyList<IncidentEvent>)> ExecuteAsync(IncidentProcessState turn, IncidentCommand command, CancellationToken ct)
    {
        switch (command)
        {
            case BeginTriage:
                return await TriageAsync(turn, ct);
            case SubmitProposal submit:
                return await SubmitAsync(turn, submit, ct);
            case PollApproval poll when poll.After > TimeSpan.Zero:
                await reminders.ScheduleAsync(ApprovalReminder, poll.After, ct);
                return (turn, []);
            case PollApproval poll:
                return await PollAsync(turn, poll, ct);
            case ScheduleRecheck recheck:
                await reminders.ScheduleAsync(RecheckReminder, recheck.After, ct);
                return (turn, []);
            case ScheduleVerification verify:
                await reminders.ScheduleAsync(VerifyReminder, verify.After > TimeSpan.Zero ? verify.After : TimeSpan.FromSeconds(1), ct);
                return (turn, []);
            case CheckHealth:
                return await CheckHealthAsync(turn, ct);
            case UndoChange undo:
                return await UndoAsync(turn, undo, ct);
            case StartRestore start:
                return await StartRestoreAsync(turn, start, ct);
            case NotifyEscalation escalation:
                services.Telemetry.Escalations.Add(1);
                _logger.LogWarning("ESCALATION incident {IncidentId} ({Workload}): {Reason}", escalation.IncidentId, workload, escalation.Reason);
                turn = Step(turn, "escalate", 0, escalation.Reason);
                turn = turn with { Record = turn.Record! with { Escalations = [.. turn.Record!.Escalations, escalation.Reason] } };
                await state.SetAsync(turn, ct);
                return (turn, []);
            case CloseIncident close:
                await reminders.CancelAsync(VerifyReminder, ct);
                await reminders.CancelAsync(ApprovalReminder, ct);
                await reminders.CancelAsync(RecheckReminder, ct);
                services.Telemetry.IncidentsOpen.Add(-1);
                services.Telemetry.IncidentsClosed.Add(1, new KeyValuePair<string, object?>("phase", close.Phase.ToString()));
                _logger.LogInformation("Incident {IncidentId} closed as {Phase}: {Outcome}", close.IncidentId, close.Phase, close.Outcome);
                return (turn, []);
            default:
                throw new InvalidOperationException($"No handler for incident command {command.GetType().Name}.");
        }
    }

    /// <summary>Steps 1–4 of the loop, each timed, traced and recorded on the incident: perceive, compact, retrieve,
    /// plan. The proposal goes to the guardrail next (<see cref="SubmitAsync"/>).</summary>
    private async Task<(IncidentProcessState, IReadOnlyList<IncidentEvent>)> TriageAsync(IncidentProcessState turn, CancellationToken ct)
    {
        if (turn.Machine.Current is { Phase: IncidentPhase.Firing })
            turn = await ApplyAsync(turn, new TriageStarted(), [], ct) ?? turn;
        if (turn is not { Machine.Current: { } incident, Record: { } record })
            throw new InvalidOperationException($"Triage of {workload} needs an open incident with its record.");
        var alerts = record.Alerts.Entries
            .Select(a => new Alert(a.Fingerprint, a.Status, a.Labels, a.Annotations, a.StartsAt, null, null))
            .ToList();

        (turn, var seen) = await StepAsync(turn, "perceive", _ => PerceiveAsync(ct), p => p.Summary);
        (turn, var facts) = await StepAsync(turn, "compact",
            _ => Task.FromResult(services.Triage.Compact(workload, alerts, seen.Metrics, seen.Route, turn.RecentActions, services.Time.GetUtcNow())),
            f => $"{f.Tokens}/{f.TokenBudget} tokens, {f.FactsIncluded} facts ({f.FactsDropped} dropped)");
        (turn, var matches) = await StepAsync(turn, "retrieve", _ => Task.FromResult(services.Triage.Retrieve(alerts, facts)),
            m => m.Count == 0 ? "no SOP matched" : string.Join(", ", m.Select(x => $"{x.Sop.Id} ({x.Score:0.###})")));
        // An SOP may hold its workloads to other thresholds: judge (and show the model) the backends against those; and
        // it may ask for alert annotations, which the fact sheet leaves out otherwise.
        facts = services.Triage.Recompact(facts, matches, workload, alerts, seen.Metrics, seen.Route, turn.RecentActions, services.Time.GetUtcNow());
        (turn, var confirmation) = await StepAsync(turn, "confirm",
            _ => Task.FromResult(AlertConfirmation.Check(alerts, seen.Metrics, facts.OutOfBounds, SopMatch.Authoritative(matches)?.Sop.ConfirmWith)),
            c => c.Summary);
        turn = turn with
        {
            Record = turn.Record! with
            {
                Metrics = seen.Metrics,
                Route = seen.Route,
                FactSheet = facts,
                Sops = [.. matches.Select(m => new SopHit(m.Sop.Id, m.Sop.Title, m.Score, m.Reasons, m.Sop.DefaultAction, m.Sop.DefaultActionSafe))],
                HealthBounds = services.Triage.BoundsFor(matches),
            },
        };
        if (!confirmation.Confirmed)
        {
            await state.SetAsync(turn, ct);
            return (turn, [new SignalUnconfirmed(confirmation.Summary)]);
        }

        (turn, var plan) = await StepAsync(turn, "plan", async activity =>
            {
                var outcome = await services.Planner.PlanAsync(Triage.PlanRequest(incident.Id, facts, matches, seen.Route, alerts), ct);
                activity?.SetTag("autopilot.proposal.source", outcome.Source.ToString());
                activity?.SetTag("autopilot.proposal.action", outcome.Proposal.Action);
                return outcome;
            },
            p => $"{p.Proposal.Action} from {p.Source}" + ((p.Record.ModelError ?? p.Record.ParseError) is { } why ? $" ({why})" : ""));

        turn = turn with
        {
            Record = turn.Record! with
            {
                Plan = plan.Record,
                Proposal = plan.Proposal,
            },
        };
        await state.SetAsync(turn, ct);
        return (turn, [new ProposalReady(plan.Proposal, plan.Source, plan.Proposal.Reason)]);
    }

    private sealed record Perceived(RouteState? Route, IReadOnlyList<MetricSnapshot> Metrics, string Summary);

    /// <summary>The route and the health per version. Either may be missing; the loop goes on without it.</summary>
    private async Task<Perceived> PerceiveAsync(CancellationToken ct)
    {
        RouteState? route = null;
        IReadOnlyList<MetricSnapshot> metrics = [];
        var problems = new List<string>();
        try
        {
            route = await services.Guardrail.ReadRouteAsync(_route, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            problems.Add($"route {_route} unreadable: {e.Message}");
        }
        try
        {
            metrics = await services.Health.ReadAsync(workload, route, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            problems.Add($"metrics unreadable: {e.Message}");
        }
        return new Perceived(route, metrics,
            $"{metrics.Count} version(s), route {(route is null ? "unknown" : Weights(route.Weights()))}; {HealthJudge.Read(metrics)}"
            + (problems.Count == 0 ? "" : "; " + string.Join("; ", problems)));
    }

    /// <summary>Runs one loop step in its own span ("incident.{step}"), times it and records it on the incident.</summary>
    private async Task<(IncidentProcessState Turn, T Result)> StepAsync<T>(IncidentProcessState turn, string step,
        Func<Activity?, Task<T>> run, Func<T, string> summary)
    {
        var started = Stopwatch.GetTimestamp();
        T result;
        using (var activity = LoopTelemetry.Source.StartActivity("incident." + step))
            result = await run(activity);
        return (Step(turn, step, Stopwatch.GetElapsedTime(started).TotalMilliseconds, summary(result)), result);
    }

    private async Task<(IncidentProcessState, IReadOnlyList<IncidentEvent>)> SubmitAsync(IncidentProcessState turn, SubmitProposal submit, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        GuardrailDecision decision;
        using (LoopTelemetry.Source.StartActivity("incident.guardrail"))
            decision = await services.Guardrail.SubmitAsync(new ProposalSubmission(submit.IncidentId, submit.ChangeId, _route, submit.Proposal), ct);
        services.Telemetry.DecisionLatency.Record((services.Time.GetUtcNow() - turn.Machine.Current!.OpenedAt).TotalMilliseconds,
            new KeyValuePair<string, object?>("status", decision.Status.ToString()));
        return await DecidedAsync(turn, decision, sw.Elapsed.TotalMilliseconds, ct);
    }

    private async Task<(IncidentProcessState, IReadOnlyList<IncidentEvent>)> PollAsync(IncidentProcessState turn, PollApproval poll, CancellationToken ct)
    {
        if (turn.Machine.Current is not { Phase: IncidentPhase.Proposed, AwaitingApproval: true }) return (turn, []);
        var decision = await services.Guardrail.GetDecisionAsync(_route, poll.ChangeId, ct);
        if (decision is null)
            return (turn, [new ChangeRefused(poll.ChangeId, RefusalKind.Failed, "the guardrail has no record of this change")]);
        if (decision.Status == DecisionStatus.AwaitingApproval)
        {
            await reminders.ScheduleAsync(ApprovalReminder, services.Options.ApprovalPollInterval, ct);
            return (turn, []);
        }
        return await DecidedAsync(turn, decision, 0, ct);
    }

    private async Task<(IncidentProcessState, IReadOnlyList<IncidentEvent>)> DecidedAsync(IncidentProcessState turn, GuardrailDecision decision, double elapsedMs, CancellationToken ct)
    {
        var reasons = string.Join("; ", decision.Reasons);
        turn = Step(turn, "guardrail", elapsedMs, $"{decision.Status}{(reasons.Length == 0 ? "" : ": " + reasons)}");
        turn = turn with { Record = turn.Record! with { Decision = decision } };
        if (decision is { Status: DecisionStatus.Applied, Result: { } applied })
            turn = Remember(turn, $"{applied.At:u} {turn.Record!.Proposal?.Action} {Weights(applied.After)} (was {Weights(applied.Before)})");
        await state.SetAsync(turn, ct);

        var id = decision.ChangeId;
        IReadOnlyList<IncidentEvent> events = decision.Status switch
        {
            DecisionStatus.Applied when decision.Result is { } result =>
                [new ChangeApproved(id, false), new ChangeApplied(id, result.Before, result.After)],
            DecisionStatus.Applied => [new ChangeRefused(id, RefusalKind.Failed, "applied without a result from the bridge")],
            DecisionStatus.AwaitingApproval => [new ChangeApproved(id, true)],
            DecisionStatus.DryRun => [new ChangeRefused(id, RefusalKind.DryRun, decision.Change is { } c ? "would have set " + Weights(c.NewWeights) : "dry-run")],
            DecisionStatus.Denied => [new ChangeRefused(id, RefusalKind.Denied, reasons)],
            DecisionStatus.Rejected => [new ChangeRefused(id, RefusalKind.Rejected, decision.Error ?? "rejected")],
            _ => [new ChangeRefused(id, RefusalKind.Failed, decision.Error ?? decision.Status.ToString())],
        };
        return (turn, events);
    }

    private async Task<(IncidentProcessState, IReadOnlyList<IncidentEvent>)> CheckHealthAsync(IncidentProcessState turn, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var at = services.Time.GetUtcNow();
        var incident = turn.Machine.Current!;
        var changedAt = incident.History.LastOrDefault(h => h.To == IncidentPhase.Applied)?.At ?? incident.OpenedAt;
        HealthCheck check;
        IReadOnlyList<MetricSnapshot> metrics = [];
        using (LoopTelemetry.Source.StartActivity("incident.verify"))
        {
            try
            {
                var route = await services.Guardrail.ReadRouteAsync(_route, ct);
                metrics = await services.Health.ReadAsync(workload, route, ct);
                check = services.Judge.Verify(turn.Record!.Metrics, turn.Record.FactSheet?.OutOfBounds ?? FactSheet.NothingOutOfBounds, metrics, route, changedAt,
                    turn.Record.HealthBounds);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Unknown health is no reason to undo a mitigation; it extends verification, then escalates.
                check = new HealthCheck(HealthVerdict.Unknown, false, $"health unreadable: {e.Message}");
            }
        }
        var verdict = check.Verdict switch { HealthVerdict.Improved => "improved", HealthVerdict.NotImproved => "not improved", _ => "unknown" };
        turn = Step(turn, "verify", sw.Elapsed.TotalMilliseconds, $"{verdict}, {(check.Healthy ? "healthy" : "unhealthy")}: {check.Summary}");
        turn = turn with { Record = turn.Record! with { Verifications = [.. turn.Record!.Verifications, new VerificationRecord(at, check.Verdict, check.Healthy, check.Summary, metrics)] } };
        await state.SetAsync(turn, ct);
        return (turn, [new HealthChecked(check.Verdict, check.Healthy, check.Summary)]);
    }

    private async Task<(IncidentProcessState, IReadOnlyList<IncidentEvent>)> UndoAsync(IncidentProcessState turn, UndoChange undo, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        GuardrailDecision decision;
        using (LoopTelemetry.Source.StartActivity("incident.undo"))
            decision = await services.Guardrail.UndoAsync(new UndoSubmission(undo.IncidentId, undo.ChangeId, undo.UndoChangeId, _route, undo.Reason), ct);
        var succeeded = decision.Status == DecisionStatus.Undone;
        var summary = succeeded && decision.Result is { } result ? $"weights back to {Weights(result.After)}" : decision.Error ?? decision.Status.ToString();
        turn = Step(turn, "undo", sw.Elapsed.TotalMilliseconds, summary);
        turn = turn with { Record = turn.Record! with { Undo = decision } };
        if (succeeded) turn = Remember(turn, $"{services.Time.GetUtcNow():u} undo of {undo.ChangeId}: {summary}");
        await state.SetAsync(turn, ct);
        return (turn, [new ChangeUndone(undo.UndoChangeId, succeeded, summary)]);
    }

    private async Task<(IncidentProcessState, IReadOnlyList<IncidentEvent>)> StartRestoreAsync(IncidentProcessState turn, StartRestore start, CancellationToken ct)
    {
        var incident = turn.Machine.Current!;
        var stable = turn.Record?.Route?.StableBackend;
        var canary = stable is null ? null : incident.WeightsBefore?
            .Where(before => before.Name != stable)
            .Select(before => (before, after: incident.WeightsAfter?.FirstOrDefault(a => a.Name == before.Name)?.Weight ?? 0))
            .Where(pair => pair.before.Weight > pair.after)
            .OrderByDescending(pair => pair.before.Weight - pair.after)
            .Select(pair => pair.before)
            .FirstOrDefault();
        if (stable is null || canary is null)
        {
            turn = Step(turn, "restore", 0, "no canary weight to restore");
            await state.SetAsync(turn, ct);
            return (turn, [new RestoreFinished(start.RestoreId, true, "nothing to restore")]);
        }

        var request = new RestoreRequest(start.RestoreId, incident.Id, workload, _route, stable, canary.Name, canary.Weight,
            services.RestoreOptions.Steps, services.RestoreOptions.SettleDelay, turn.Record?.HealthBounds);
        using (LoopTelemetry.Source.StartActivity("incident.restore"))
            await services.Restore.StartAsync(request, ct);
        turn = Step(turn, "restore", 0, $"started: {canary.Name} back to {canary.Weight}% in steps of {string.Join("/", request.StepPercents)}%");
        await state.SetAsync(turn, ct);
        return (turn, []);
    }

    private async Task JournalAsync(IncidentProcessState turn, CancellationToken ct)
    {
        if (turn.Record is not { } record) return;
        try
        {
            await services.Journal.RecordAsync(record, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The record stays in the process state and is written again with the next step.
            _logger.LogWarning(e, "Could not write incident {IncidentId} to the journal", record.IncidentId);
        }
    }

    private async Task<IncidentProcessState> LoadAsync(CancellationToken ct) =>
        await state.GetAsync(ct) ?? new IncidentProcessState(IncidentState.Empty(workload), null, []);

    private IncidentProcessState Step(IncidentProcessState turn, string step, double durationMs, string summary)
    {
        if (turn.Record is not { } record) return turn;
        var steps = record.Steps.Count >= MaxSteps ? record.Steps.Skip(record.Steps.Count - MaxSteps + 1) : record.Steps;
        _logger.LogInformation("Incident {IncidentId} {Step} ({DurationMs:0.#} ms): {Summary}", record.IncidentId, step, durationMs, summary);
        return turn with { Record = record with { Steps = [.. steps, new StepRecord(services.Time.GetUtcNow(), step, durationMs, summary)] } };
    }

    private static IncidentProcessState Remember(IncidentProcessState turn, string action) =>
        turn with { RecentActions = [.. turn.RecentActions.TakeLast(IncidentProcessState.MaxRecentActions - 1), action] };

    private static string CurrentChangeId(IncidentProcessState turn) => turn.Machine.Current?.ChangeId ?? "";

    private static AlertDigest Digest(AlertDigest digest, IReadOnlyList<Alert> alerts, Incident incident)
    {
        var entries = digest.Entries.ToDictionary(e => e.Fingerprint, StringComparer.Ordinal);
        var order = digest.Entries.Select(e => e.Fingerprint).ToList();
        var names = new SortedSet<string>(digest.Names, StringComparer.Ordinal);
        var members = incident.Fingerprints.ToHashSet(StringComparer.Ordinal);
        foreach (var alert in alerts.Where(a => members.Contains(a.Fingerprint)))
        {
            names.Add(alert.Name);
            if (entries.TryGetValue(alert.Fingerprint, out var entry))
            {
                entries[alert.Fingerprint] = entry with { Status = alert.Status, Occurrences = entry.Occurrences + 1 };
            }
            else if (entries.Count < AlertDigest.MaxEntries) // the rest are counted, not kept
            {
                entries[alert.Fingerprint] = new AlertEntry(alert.Fingerprint, alert.Name, alert.Status, alert.Labels, alert.Annotations, alert.StartsAt, 1);
                order.Add(alert.Fingerprint);
            }
        }
        var received = digest.Received + alerts.Count(a => members.Contains(a.Fingerprint));
        var distinct = Math.Max(incident.Fingerprints.Count, entries.Count);
        return new AlertDigest([.. order.Select(f => entries[f])], received, distinct, distinct - entries.Count, [.. names]);
    }

    private static AlertDigest CarriedOver(AlertDigest digest, Incident incident)
    {
        var members = incident.Fingerprints.ToHashSet(StringComparer.Ordinal);
        var kept = digest.Entries.Where(e => members.Contains(e.Fingerprint)).ToList();
        return new AlertDigest(kept, kept.Sum(e => e.Occurrences), kept.Count, 0, [.. kept.Select(e => e.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]);
    }

    private static string Weights(IReadOnlyList<BackendWeight> weights) => string.Join(" ", weights.Select(w => $"{w.Name}={w.Weight}"));
}
