using System.Diagnostics;
using Autopilot.GatewayBridge.Client;
using Autopilot.Incidents.Ports;
using Autopilot.Incidents.Telemetry;
using Autopilot.Remediation.Policies;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;
using Microsoft.Extensions.Logging;

namespace Autopilot.Incidents.Guardrail;

/// <summary>
/// The guardrail of one route: evaluates proposals against the policy, keeps the route's ledger, signs what it
/// allows and applies it through the gateway-bridge — the only code allowed to call the bridge. The host runs
/// one call at a time per route (actor turns / keyed executor), which serialises changes per route.
/// </summary>
public sealed class GuardrailProcess(
    RouteRef route,
    IKeyedState<GuardrailState> state,
    IReminders reminders,
    IGatewayBridgeClient bridge,
    GuardrailServices services)
{
    public const string ApprovalTimeoutPrefix = "approval-timeout:";

    private readonly ILogger _logger = services.Logger;

    public RouteRef Route => route;

    public async Task<GuardrailDecision> SubmitAsync(ProposalSubmission submission, CancellationToken ct)
    {
        using var activity = LoopTelemetry.Source.StartActivity("guardrail.submit");
        activity?.SetTag("autopilot.route", route.ToString());
        activity?.SetTag("autopilot.change_id", submission.ChangeId);
        if (submission.Route != route)
            throw new ArgumentException($"Submission for route {submission.Route} reached the guardrail of {route}.", nameof(submission));

        var current = await LoadAsync(ct);
        if (current.Decisions.TryGetValue(submission.ChangeId, out var known))
        {
            _logger.LogInformation("Change {ChangeId} on {Route} was already decided ({Status}); returning that decision", submission.ChangeId, route, known.Status);
            return known;
        }

        var decision = await DecideAsync(current, submission, humanApproved: false, ct);
        current = await LoadAsync(ct);
        if (decision.Status == DecisionStatus.AwaitingApproval)
        {
            current = current with { AwaitingApproval = With(current.AwaitingApproval, submission.ChangeId, submission) };
            await reminders.ScheduleAsync(ApprovalTimeoutPrefix + submission.ChangeId, services.Options.ApprovalTimeout, ct);
        }
        await SaveDecisionAsync(current, submission, decision, ct);
        activity?.SetTag("autopilot.decision", decision.Status.ToString());
        return decision;
    }

    /// <summary>A human approved a change that was waiting. Policy is evaluated again (the ledger or a freeze
    /// may have changed since); anything but a waiting change is answered with its existing decision.</summary>
    /// <summary>A human's answer: approve applies the change (policy is checked again), reject closes it.</summary>
    public Task<GuardrailDecision?> AnswerApprovalAsync(ApprovalAnswer answer, CancellationToken ct) => answer.Approved
        ? ApproveAsync(answer.ChangeId, answer.Approver, ct)
        : RejectAsync(answer.ChangeId, $"rejected by {answer.Approver}{(answer.Reason is null ? "" : ": " + answer.Reason)}", ct);

    public async Task<GuardrailDecision?> ApproveAsync(string changeId, string approver, CancellationToken ct)
    {
        var current = await LoadAsync(ct);
        if (!current.AwaitingApproval.TryGetValue(changeId, out var submission))
            return current.Decisions.GetValueOrDefault(changeId);

        _logger.LogInformation("Change {ChangeId} on {Route} approved by {Approver}", changeId, route, approver);
        var decision = await DecideAsync(current, submission, humanApproved: true, ct);
        current = await LoadAsync(ct);
        await SaveDecisionAsync(current with { AwaitingApproval = Without(current.AwaitingApproval, changeId) }, submission, decision, ct);
        await reminders.CancelAsync(ApprovalTimeoutPrefix + changeId, ct);
        return decision;
    }

    public async Task<GuardrailDecision?> RejectAsync(string changeId, string reason, CancellationToken ct)
    {
        var current = await LoadAsync(ct);
        if (!current.AwaitingApproval.TryGetValue(changeId, out var submission))
            return current.Decisions.GetValueOrDefault(changeId);

        var waiting = current.Decisions[changeId];
        var decision = waiting with { Status = DecisionStatus.Rejected, Error = reason, DecidedAt = services.Time.GetUtcNow() };
        _logger.LogInformation("Change {ChangeId} on {Route} rejected: {Reason}", changeId, route, reason);
        await SaveDecisionAsync(current with { AwaitingApproval = Without(current.AwaitingApproval, changeId) }, submission, decision, ct);
        await reminders.CancelAsync(ApprovalTimeoutPrefix + changeId, ct);
        return decision;
    }

    public async Task ReceiveReminderAsync(string name, CancellationToken ct)
    {
        if (!name.StartsWith(ApprovalTimeoutPrefix, StringComparison.Ordinal))
        {
            _logger.LogWarning("Guardrail of {Route} ignored unknown reminder {Reminder}", route, name);
            return;
        }
        var changeId = name[ApprovalTimeoutPrefix.Length..];
        await RejectAsync(changeId, $"nobody approved it within {services.Options.ApprovalTimeout}", ct);
    }

    public async Task<GuardrailDecision> UndoAsync(UndoSubmission submission, CancellationToken ct)
    {
        using var activity = LoopTelemetry.Source.StartActivity("guardrail.undo");
        activity?.SetTag("autopilot.route", route.ToString());
        var current = await LoadAsync(ct);
        if (current.Decisions.TryGetValue(submission.UndoChangeId, out var known)) return known;
        if (current.Decisions.TryGetValue(submission.ChangeId, out var original) && original.Result is { Outcome: ChangeOutcome.AlreadyInPlace } noOp)
        {
            // The change touched nothing, so there is nothing to put back (and the bridge has no journal entry for it).
            var nothing = new GuardrailDecision(submission.UndoChangeId, DecisionStatus.Undone, null, null,
                noOp with { ChangeId = submission.UndoChangeId }, null, services.Time.GetUtcNow());
            await state.SetAsync(Prune(current with { Decisions = With(current.Decisions, nothing.ChangeId, nothing) }), ct);
            return nothing;
        }

        // Undoing our own change puts back weights that were in place before; it is not a new decision for
        // policy to weigh, so it is not blocked by windows or freezes (it does enter the ledger).
        var now = services.Time.GetUtcNow();
        var request = new UndoRequest(submission.ChangeId, submission.UndoChangeId, submission.IncidentId, submission.Reason, route);
        GuardrailDecision decision;
        try
        {
            var token = ApprovalToken.SignUndo(request, now + services.Options.TokenLifetime, services.SigningKey);
            var result = await bridge.UndoAsync(request, token, ct);
            decision = new GuardrailDecision(submission.UndoChangeId, DecisionStatus.Undone, null, null, result, null, services.Time.GetUtcNow());
            services.Telemetry.ChangesUndone.Add(1);
            _logger.LogInformation("Undid change {ChangeId} on {Route} ({UndoChangeId}): {Reason}", submission.ChangeId, route, submission.UndoChangeId, submission.Reason);
        }
        catch (GatewayBridgeException e)
        {
            decision = new GuardrailDecision(submission.UndoChangeId, DecisionStatus.Failed, null, null, null, e.Message, services.Time.GetUtcNow());
            _logger.LogError(e, "Undo of {ChangeId} on {Route} failed", submission.ChangeId, route);
        }

        current = await LoadAsync(ct);
        var ledger = decision.Status == DecisionStatus.Undone
            ? [.. current.Ledger, new LedgerEntry(now, route, "undo", submission.UndoChangeId, submission.IncidentId)]
            : current.Ledger;
        await state.SetAsync(Prune(current with { Ledger = ledger, Decisions = With(current.Decisions, decision.ChangeId, decision) }), ct);
        return decision;
    }

    public Task<RouteState> ReadRouteAsync(CancellationToken ct) => bridge.GetRouteAsync(route, ct);

    public async Task<GuardrailDecision?> GetDecisionAsync(string changeId, CancellationToken ct) =>
        (await LoadAsync(ct)).Decisions.GetValueOrDefault(changeId);

    public async Task<GuardrailState> ReadStateAsync(CancellationToken ct) => await LoadAsync(ct);

    private async Task<GuardrailDecision> DecideAsync(GuardrailState current, ProposalSubmission submission, bool humanApproved, CancellationToken ct)
    {
        var now = services.Time.GetUtcNow();
        var proposal = submission.Proposal;
        RouteState routeState;
        try
        {
            routeState = await bridge.GetRouteAsync(route, ct);
        }
        catch (GatewayBridgeException e)
        {
            return Failed(submission, null, null, $"reading the route failed: {e.Message}");
        }

        var policy = services.Policies.Resolve(route);
        var verdict = PolicyEngine.Evaluate(proposal, routeState, current.Ledger, now, policy);
        services.Telemetry.Proposals.Add(1, new KeyValuePair<string, object?>("verdict", verdict.Allowed ? "allowed" : "denied"),
            new KeyValuePair<string, object?>("action", proposal.Action));
        if (!verdict.Allowed)
        {
            _logger.LogWarning("Denied {Action} {ChangeId} on {Route} by policy {Policy}: {Violations}", proposal.Action, submission.ChangeId, route,
                verdict.PolicyName, string.Join("; ", verdict.Violations.Select(v => $"{v.Rule}: {v.Message}")));
            return new GuardrailDecision(submission.ChangeId, DecisionStatus.Denied, verdict, null, null, null, now);
        }

        var stable = routeState.StableBackend;
        if (!TrafficPlan.TryResolve(proposal, routeState, stable, out var resolved, out var error) || resolved is null)
            return Failed(submission, verdict, null, resolved is null && error.Length == 0 ? $"{proposal.Action} changes no traffic" : error);

        // Every rule the proposal manages goes into one signed change, each with the weights it was judged against,
        // so the bridge applies all of them or none.
        var change = RouteChange.ForRules(submission.ChangeId, submission.IncidentId, route, resolved.Kind, resolved.Rules,
            resolved.RateLimit, proposal.Reason, verdict.DryRun);
        if (verdict.RequiresHumanApproval && !humanApproved && !verdict.DryRun)
        {
            _logger.LogInformation("Change {ChangeId} on {Route} waits for human approval", submission.ChangeId, route);
            return new GuardrailDecision(submission.ChangeId, DecisionStatus.AwaitingApproval, verdict, change, null, null, now);
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            var token = ApprovalToken.Sign(change, now + services.Options.TokenLifetime, services.SigningKey);
            var result = await bridge.ApplyAsync(change, token, ct);
            if (verdict.DryRun)
            {
                _logger.LogInformation("Dry-run: would have applied {ChangeId} on {Route}: {Weights}", submission.ChangeId, route, Describe(change.Rules));
                return new GuardrailDecision(submission.ChangeId, DecisionStatus.DryRun, verdict, change, result, null, services.Time.GetUtcNow());
            }
            if (result.Outcome == ChangeOutcome.AlreadyInPlace)
                _logger.LogInformation("{ChangeId} on {Route}: already in place ({Weights}); nothing changed, no budget used", submission.ChangeId, route,
                    Describe(result.Rules));
            else
            {
                services.Telemetry.ChangesApplied.Add(1, new KeyValuePair<string, object?>("action", proposal.Action));
                _logger.LogInformation("Applied {ChangeId} on {Route}: {Weights} in {ElapsedMs:0} ms", submission.ChangeId, route,
                    Describe(result.Rules), Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            return new GuardrailDecision(submission.ChangeId, DecisionStatus.Applied, verdict, change, result, null, services.Time.GetUtcNow());
        }
        catch (GatewayBridgeException e)
        {
            _logger.LogError(e, "gateway-bridge refused {ChangeId} on {Route}", submission.ChangeId, route);
            return Failed(submission, verdict, change, e.Message);
        }
    }

    private async Task SaveDecisionAsync(GuardrailState current, ProposalSubmission submission, GuardrailDecision decision, CancellationToken ct)
    {
        // The ledger is the change budget: a change that found its weights already in place changed nothing.
        var ledger = decision is { Status: DecisionStatus.Applied, Result.Outcome: not ChangeOutcome.AlreadyInPlace }
            ? [.. current.Ledger, new LedgerEntry(decision.DecidedAt, route, submission.Proposal.Action, submission.ChangeId, submission.IncidentId)]
            : current.Ledger;
        await state.SetAsync(Prune(current with { Ledger = ledger, Decisions = With(current.Decisions, submission.ChangeId, decision) }), ct);
    }

    private GuardrailDecision Failed(ProposalSubmission submission, Verdict? verdict, RouteChange? change, string error) =>
        new(submission.ChangeId, DecisionStatus.Failed, verdict, change, null, error, services.Time.GetUtcNow());

    private async Task<GuardrailState> LoadAsync(CancellationToken ct) => await state.GetAsync(ct) ?? GuardrailState.Empty;

    private GuardrailState Prune(GuardrailState current)
    {
        var horizon = services.Time.GetUtcNow() - services.Options.LedgerRetention;
        var decisions = current.Decisions.Count <= services.Options.MaxDecisions
            ? current.Decisions
            : current.Decisions.Values
                .OrderByDescending(d => current.AwaitingApproval.ContainsKey(d.ChangeId))
                .ThenByDescending(d => d.DecidedAt)
                .Take(services.Options.MaxDecisions)
                .ToDictionary(d => d.ChangeId, StringComparer.Ordinal);
        return current with { Ledger = [.. current.Ledger.Where(e => e.At >= horizon)], Decisions = decisions };
    }

    private static Dictionary<string, TValue> With<TValue>(IReadOnlyDictionary<string, TValue> map, string key, TValue value) =>
        new(map, StringComparer.Ordinal) { [key] = value };

    private static Dictionary<string, TValue> Without<TValue>(IReadOnlyDictionary<string, TValue> map, string key)
    {
        var copy = new Dictionary<string, TValue>(map, StringComparer.Ordinal);
        copy.Remove(key);
        return copy;
    }

    private static string Describe(IReadOnlyList<BackendWeight> weights) => string.Join(" ", weights.Select(w => $"{w.Name}={w.Weight}"));

    /// <summary>Each rule's weights, "rule 1: a=90 b=10; rule 2: ..." when there are several.</summary>
    private static string Describe(IReadOnlyList<RuleWeights> rules) => rules.Count == 1
        ? Describe(rules[0].After)
        : string.Join("; ", rules.Select(r => $"rule {r.RuleIndex}: {Describe(r.After)}"));
}
