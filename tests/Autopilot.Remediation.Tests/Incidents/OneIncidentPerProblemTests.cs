using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Tests.Incidents;

/// <summary>One incident per workload problem: alerts join an incident handed to humans instead of paging again;
/// alerts the measurement does not confirm plan nothing; verification without data is extended, not passed.</summary>
public sealed class OneIncidentPerProblemTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-25T01:00:00Z");
    private static readonly WorkloadKey Checkout = new("shop", "checkout");
    private readonly IncidentMachine _machine = new(new IncidentMachineOptions
    {
        MaxVerifications = 2,
        MaxUnconfirmedChecks = 3,
        UnconfirmedRecheckDelay = TimeSpan.FromSeconds(15),
        RetriageCooldown = TimeSpan.FromMinutes(5),
        HoldLimit = TimeSpan.FromHours(4),
    });

    private static Alert Firing(string fingerprint = "fp-1", string name = "CanaryHighErrorRate") =>
        new(fingerprint, AlertStatus.Firing,
            new Dictionary<string, string> { ["alertname"] = name, ["namespace"] = "shop", ["workload"] = "checkout", ["version"] = "checkout-v2", ["pod"] = fingerprint },
            new Dictionary<string, string>(), T0, null, null);

    private static Alert Resolved(string fingerprint = "fp-1", string name = "CanaryHighErrorRate") => Firing(fingerprint, name) with { Status = AlertStatus.Resolved };

    private static IReadOnlyList<BackendWeight> W(int stable) => [new("checkout-v1", stable), new("checkout-v2", 100 - stable)];

    private Transition Accept(IncidentState state, IncidentEvent e, DateTimeOffset? at = null)
    {
        var transition = _machine.Apply(state, e, at ?? T0);
        Assert.True(transition.Accepted, transition.Rejection);
        return transition;
    }

    /// <summary>An incident whose change policy denied: escalated, its alert still firing.</summary>
    private IncidentState Denied()
    {
        var state = Accept(IncidentState.Empty(Checkout), new AlertsReceived([Firing()])).State;
        state = Accept(state, new TriageStarted()).State;
        var proposed = Accept(state, new ProposalReady(new RollbackCanary("shop/checkout", "v2 5xx"), ProposalSource.Model, "v2 5xx"));
        var changeId = Assert.IsType<SubmitProposal>(Assert.Single(proposed.Commands)).ChangeId;
        var denied = Accept(proposed.State, new ChangeRefused(changeId, RefusalKind.Denied, "freeze window"));
        Assert.Single(denied.Commands.OfType<NotifyEscalation>());
        return denied.State;
    }

    [Fact]
    public void Twenty_pod_alerts_after_a_denial_join_the_incident_without_a_new_triage_or_escalation()
    {
        var state = Denied();
        var incidentId = state.Current!.Id;
        for (var pod = 2; pod <= 21; pod++)
        {
            var joined = Accept(state, new AlertsReceived([Firing($"fp-{pod}")]), T0.AddSeconds(pod / 2.0));
            Assert.Empty(joined.Commands);
            state = joined.State;
        }

        Assert.Equal(incidentId, state.Current!.Id);
        Assert.Equal(1, state.Sequence);
        Assert.Equal(21, state.Current.Fingerprints.Count);
        Assert.Null(state.Current.SettledAt);
    }

    [Fact]
    public void A_held_incident_settles_when_all_its_alerts_resolve_and_the_next_alert_opens_a_new_one()
    {
        var state = Accept(Denied(), new AlertsReceived([Firing("fp-2")]), T0.AddSeconds(5)).State;
        state = Accept(state, new AlertsReceived([Resolved("fp-1")]), T0.AddSeconds(10)).State;
        Assert.Null(state.Current!.SettledAt);

        state = Accept(state, new AlertsReceived([Resolved("fp-2")]), T0.AddSeconds(20)).State;
        Assert.Equal(T0.AddSeconds(20), state.Current!.SettledAt);
        Assert.Equal("its alerts resolved", state.Current.Settlement);

        var next = Accept(state, new AlertsReceived([Firing("fp-3")]), T0.AddMinutes(1));
        Assert.IsType<BeginTriage>(Assert.Single(next.Commands));
        Assert.Equal(2, next.State.Sequence);
    }

    [Fact]
    public void A_new_alert_name_triages_again_only_after_the_cool_down_as_an_incident_that_takes_over()
    {
        var state = Denied();
        var first = state.Current!.Id;

        var early = Accept(state, new AlertsReceived([Firing("lat-1", "CanaryLatencyRegression")]), T0.AddMinutes(1));
        Assert.Empty(early.Commands);
        Assert.Equal(first, early.State.Current!.Id);

        // Alertmanager re-sends the group after the cool-down: the untriaged name is now a reason to look again.
        var later = Accept(early.State, new AlertsReceived([Firing("lat-1", "CanaryLatencyRegression")]), T0.AddMinutes(6));
        Assert.IsType<BeginTriage>(Assert.Single(later.Commands));
        var next = later.State.Current!;
        Assert.NotEqual(first, next.Id);
        Assert.Equal(first, next.Follows);
        Assert.Equal(["CanaryHighErrorRate", "CanaryLatencyRegression"], next.TriagedNames);
        Assert.Contains("fp-1", next.Fingerprints);
    }

    [Fact]
    public void A_held_incident_stops_absorbing_alerts_after_the_hold_limit()
    {
        var state = Denied();
        var late = Accept(state, new AlertsReceived([Firing("fp-9")]), T0.AddHours(5));
        Assert.IsType<BeginTriage>(Assert.Single(late.Commands));
        Assert.Equal(2, late.State.Sequence);
    }

    [Fact]
    public void A_person_closes_a_held_incident_and_the_next_alert_opens_a_new_one()
    {
        var state = Denied();
        var closed = Accept(state, new OperatorAnswered(state.Current!.Id, OperatorVerb.Close, "alice", "fixed the build"), T0.AddMinutes(2));
        Assert.Empty(closed.Commands);
        Assert.Equal("closed by alice: fixed the build", closed.State.Current!.Settlement);

        var next = Accept(closed.State, new AlertsReceived([Firing("fp-2")]), T0.AddMinutes(3));
        Assert.IsType<BeginTriage>(Assert.Single(next.Commands));
    }

    [Fact]
    public void A_person_cannot_close_an_incident_the_loop_still_owns_but_can_acknowledge_it()
    {
        var state = Accept(IncidentState.Empty(Checkout), new AlertsReceived([Firing()])).State;
        var id = state.Current!.Id;

        var close = _machine.Apply(state, new OperatorAnswered(id, OperatorVerb.Close, "alice", null), T0);
        Assert.False(close.Accepted);
        Assert.Contains("the loop still owns it", close.Rejection);

        var acknowledged = Accept(state, new OperatorAnswered(id, OperatorVerb.Acknowledge, "alice", "looking"), T0.AddSeconds(5));
        Assert.Equal("alice", acknowledged.State.Current!.AcknowledgedBy);
        Assert.Equal(IncidentPhase.Firing, acknowledged.State.Current.Phase);

        var wrong = _machine.Apply(state, new OperatorAnswered("other", OperatorVerb.Acknowledge, "alice", null), T0);
        Assert.False(wrong.Accepted);
    }

    [Fact]
    public void An_unconfirmed_alert_is_rechecked_then_escalated_while_it_keeps_firing()
    {
        var state = Accept(IncidentState.Empty(Checkout), new AlertsReceived([Firing()])).State;
        state = Accept(state, new TriageStarted()).State;
        for (var check = 1; check < 3; check++)
        {
            var waiting = Accept(state, new SignalUnconfirmed("checkout-v2 err 0 is within bounds"), T0.AddSeconds(15 * check));
            Assert.Equal(TimeSpan.FromSeconds(15), Assert.IsType<ScheduleRecheck>(Assert.Single(waiting.Commands)).After);
            Assert.Equal(IncidentPhase.Triaging, waiting.State.Current!.Phase);
            state = waiting.State;
        }

        var escalated = Accept(state, new SignalUnconfirmed("checkout-v2 err 0 is within bounds"), T0.AddSeconds(45));
        Assert.Equal(IncidentPhase.Escalated, escalated.State.Current!.Phase);
        Assert.Contains("did not confirm", escalated.State.Current.Outcome);
        Assert.Single(escalated.Commands.OfType<NotifyEscalation>());
    }

    [Fact]
    public void An_unconfirmed_alert_that_resolves_closes_as_not_confirmed_without_a_change()
    {
        var state = Accept(IncidentState.Empty(Checkout), new AlertsReceived([Firing()])).State;
        state = Accept(state, new TriageStarted()).State;
        state = Accept(state, new SignalUnconfirmed("no data")).State;

        var resolved = Accept(state, new AlertsReceived([Resolved()]), T0.AddSeconds(10));
        Assert.Equal(IncidentPhase.Resolved, resolved.State.Current!.Phase);
        Assert.StartsWith("not confirmed", resolved.State.Current.Outcome);
        Assert.Empty(resolved.Commands.OfType<NotifyEscalation>());
    }

    [Fact]
    public void Verification_without_data_is_extended_and_then_escalated_never_undone_or_restored()
    {
        var state = Accept(IncidentState.Empty(Checkout), new AlertsReceived([Firing()])).State;
        state = Accept(state, new TriageStarted()).State;
        var proposed = Accept(state, new ProposalReady(new RollbackCanary("shop/checkout", "v2 5xx"), ProposalSource.Model, "v2 5xx"));
        var changeId = Assert.IsType<SubmitProposal>(Assert.Single(proposed.Commands)).ChangeId;
        state = Accept(proposed.State, new ChangeApproved(changeId, false)).State;
        state = Accept(state, new ChangeApplied(changeId, W(90), W(100))).State;
        state = Accept(state, new AlertsReceived([Resolved()])).State;
        state = Accept(state, new VerificationDue()).State;

        var first = Accept(state, new HealthChecked(HealthVerdict.Unknown, false, "no samples"));
        Assert.IsType<ScheduleVerification>(Assert.Single(first.Commands));
        state = Accept(first.State, new VerificationDue()).State;

        var last = Accept(state, new HealthChecked(HealthVerdict.Unknown, false, "no samples"));
        Assert.Equal(IncidentPhase.Escalated, last.State.Current!.Phase);
        Assert.Contains("could not be judged", last.State.Current.Outcome);
        Assert.DoesNotContain(last.Commands, c => c is UndoChange or StartRestore);
    }

    [Fact]
    public void A_backend_newly_out_of_bounds_triages_again_once_the_cool_down_passed()
    {
        var state = Denied();
        Assert.False(_machine.SignalCheckDue(state, T0.AddMinutes(1)));
        Assert.True(_machine.SignalCheckDue(state, T0.AddMinutes(6)));

        var quiet = Accept(state, new SignalChecked([], "no new signal"), T0.AddMinutes(6));
        Assert.Empty(quiet.Commands);
        Assert.False(_machine.SignalCheckDue(quiet.State, T0.AddMinutes(8)));
        Assert.True(_machine.SignalCheckDue(quiet.State, T0.AddMinutes(11)));

        var fresh = Accept(quiet.State, new SignalChecked(["checkout-v1"], "newly out of bounds: checkout-v1 err>5%"), T0.AddMinutes(11));
        Assert.IsType<BeginTriage>(Assert.Single(fresh.Commands));
        Assert.Equal(state.Current!.Id, fresh.State.Current!.Follows);
    }

    [Fact]
    public void An_incident_the_loop_resolved_never_holds_so_the_problem_coming_back_is_a_new_incident()
    {
        var state = Accept(IncidentState.Empty(Checkout), new AlertsReceived([Firing()])).State;
        state = Accept(state, new TriageStarted()).State;
        state = Accept(state, new ProposalReady(new NoAction("checkout-v2 within bounds"), ProposalSource.Model, "")).State;
        Assert.Equal(IncidentPhase.Resolved, state.Current!.Phase);
        Assert.Equal("resolved by the loop", state.Current.Settlement);
        Assert.Null(state.Held(T0, TimeSpan.FromHours(4)));

        var next = Accept(state, new AlertsReceived([Firing("fp-2")]), T0.AddSeconds(30));
        Assert.IsType<BeginTriage>(Assert.Single(next.Commands));
        Assert.Equal(2, next.State.Sequence);
    }
}
