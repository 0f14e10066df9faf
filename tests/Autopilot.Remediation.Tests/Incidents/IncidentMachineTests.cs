using Autopilot.Remediation.Alerts;
using Autopilot.Remediation.Incidents;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Tests.Incidents;

public sealed class IncidentMachineTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-25T01:00:00Z");
    private static readonly WorkloadKey Checkout = new("shop", "checkout");
    private readonly IncidentMachine _machine = new(new IncidentMachineOptions { MaxVerifications = 2 });

    private static Alert Firing(string fingerprint = "fp-1", string name = "CanaryHighErrorRate") =>
        new(fingerprint, AlertStatus.Firing,
            new Dictionary<string, string> { ["alertname"] = name, ["namespace"] = "shop", ["workload"] = "checkout", ["version"] = "checkout-v2" },
            new Dictionary<string, string>(), T0, null, null);

    private static Alert Resolved(string fingerprint = "fp-1") => Firing(fingerprint) with { Status = AlertStatus.Resolved };

    private static IReadOnlyList<BackendWeight> W(int stable) => [new("checkout-v1", stable), new("checkout-v2", 100 - stable)];

    private Transition Accept(IncidentState state, IncidentEvent e, DateTimeOffset? at = null)
    {
        var transition = _machine.Apply(state, e, at ?? T0);
        Assert.True(transition.Accepted, transition.Rejection);
        return transition;
    }

    /// <summary>Drives a new incident to Applied with a shift from 90/10 to 100/0.</summary>
    private IncidentState Applied()
    {
        var state = Accept(IncidentState.Empty(Checkout), new AlertsReceived([Firing()])).State;
        state = Accept(state, new TriageStarted()).State;
        var proposed = Accept(state, new ProposalReady(new RollbackCanary("shop/checkout", "v2 5xx"), ProposalSource.Model, "v2 5xx"));
        var changeId = Assert.IsType<SubmitProposal>(Assert.Single(proposed.Commands)).ChangeId;
        state = Accept(proposed.State, new ChangeApproved(changeId, false)).State;
        return Accept(state, new ChangeApplied(changeId, W(90), W(100))).State;
    }

    [Fact]
    public void First_firing_alert_opens_an_incident_and_asks_for_triage()
    {
        var transition = Accept(IncidentState.Empty(Checkout), new AlertsReceived([Firing()]));

        Assert.Equal(IncidentPhase.Firing, transition.State.Current!.Phase);
        Assert.IsType<BeginTriage>(Assert.Single(transition.Commands));
        Assert.StartsWith("shop.checkout.", transition.State.Current.Id);
    }

    [Fact]
    public void Duplicates_of_an_open_incident_are_counted_not_triaged_again()
    {
        var state = Accept(IncidentState.Empty(Checkout), new AlertsReceived([Firing()])).State;

        var transition = Accept(state, new AlertsReceived(Enumerable.Repeat(Firing(), 5_000).ToList()));

        Assert.Empty(transition.Commands);
        Assert.Equal(5_000, transition.State.Current!.Duplicates);
        Assert.Equal(1, transition.State.Sequence);
    }

    [Fact]
    public void Duplicates_of_a_settled_incident_do_not_reopen_it_but_a_new_fingerprint_does()
    {
        var state = Accept(IncidentState.Empty(Checkout), new AlertsReceived([Firing()])).State;
        state = Accept(state, new TriageStarted()).State;
        state = Accept(state, new ProposalReady(new Escalate("needs a human"), ProposalSource.Model, "")).State;
        state = Accept(state, new AlertsReceived([Resolved()])).State;
        Assert.Equal(IncidentPhase.Escalated, state.Current!.Phase);
        Assert.NotNull(state.Current.SettledAt);

        var duplicate = Accept(state, new AlertsReceived([Resolved()]));
        Assert.Empty(duplicate.Commands);
        Assert.Equal(1, duplicate.State.Sequence);

        var fresh = Accept(duplicate.State, new AlertsReceived([Firing("fp-2", "CanaryLatencyRegression")]));
        Assert.IsType<BeginTriage>(Assert.Single(fresh.Commands));
        Assert.Equal(2, fresh.State.Sequence);
    }

    [Fact]
    public void A_flapping_alert_does_not_open_incident_after_incident()
    {
        var state = IncidentState.Empty(Checkout);
        var opened = 0;
        for (var i = 0; i < 6; i++)
        {
            var at = T0.AddMinutes(i);
            var fired = Accept(state, new AlertsReceived([Firing()]), at);
            if (fired.Commands.OfType<BeginTriage>().Any()) opened++;
            state = fired.State;
            if (state.Current is { Phase: IncidentPhase.Firing }) state = Accept(state, new AlertsReceived([Resolved()]), at.AddSeconds(30)).State;
            else state = Accept(state, new AlertsReceived([Resolved()]), at.AddSeconds(30)).State;
        }

        Assert.True(_machine.IsFlapping(state.Alerts["fp-1"], T0.AddMinutes(6)));
        Assert.True(opened < 6, $"a flapping alert opened {opened} incidents");
    }

    [Fact]
    public void Resolution_before_any_change_closes_the_incident_as_resolved()
    {
        var state = Accept(IncidentState.Empty(Checkout), new AlertsReceived([Firing()])).State;

        var transition = Accept(state, new AlertsReceived([Resolved()]));

        Assert.Equal(IncidentPhase.Resolved, transition.State.Current!.Phase);
        Assert.IsType<CloseIncident>(Assert.Single(transition.Commands));
    }

    [Fact]
    public void Applied_change_schedules_verification_after_the_configured_delay()
    {
        var state = Applied();
        Assert.Equal(IncidentPhase.Applied, state.Current!.Phase);

        var due = Accept(state, new VerificationDue());
        Assert.Equal(IncidentPhase.Verifying, due.State.Current!.Phase);
        Assert.IsType<CheckHealth>(Assert.Single(due.Commands));
    }

    [Fact]
    public void Health_not_better_undoes_the_change_and_ends_rolled_back_with_escalation()
    {
        var state = Accept(Applied(), new VerificationDue()).State;

        var checkedState = Accept(state, new HealthChecked(HealthVerdict.NotImproved, false, "error ratio still 0.3"));
        var undo = Assert.IsType<UndoChange>(Assert.Single(checkedState.Commands));
        Assert.Equal(state.Current!.ChangeId, undo.ChangeId);

        var undone = Accept(checkedState.State, new ChangeUndone(undo.UndoChangeId, true, "back to 90/10"));
        Assert.Equal(IncidentPhase.RolledBack, undone.State.Current!.Phase);
        Assert.Contains(undone.Commands, c => c is NotifyEscalation);
    }

    [Fact]
    public void Resolved_alerts_with_healthy_verification_start_the_restore_then_resolve()
    {
        var state = Accept(Applied(), new AlertsReceived([Resolved()])).State;
        state = Accept(state, new VerificationDue()).State;

        var healthy = Accept(state, new HealthChecked(HealthVerdict.Improved, true, "0.001"));
        var restore = Assert.IsType<StartRestore>(Assert.Single(healthy.Commands));
        Assert.Equal(IncidentPhase.Restoring, healthy.State.Current!.Phase);

        var done = Accept(healthy.State, new RestoreFinished(restore.RestoreId, true, "10 → 100"));
        Assert.Equal(IncidentPhase.Resolved, done.State.Current!.Phase);
    }

    [Fact]
    public void A_change_that_helps_while_alerts_keep_firing_is_escalated_after_max_verifications()
    {
        var state = Accept(Applied(), new VerificationDue()).State;
        state = Accept(state, new HealthChecked(HealthVerdict.Improved, false, "better")).State;
        state = Accept(state, new VerificationDue()).State;

        var last = Accept(state, new HealthChecked(HealthVerdict.Improved, false, "better"));

        Assert.Equal(IncidentPhase.Escalated, last.State.Current!.Phase);
    }

    [Fact]
    public void Policy_denial_closes_the_incident_as_denied_and_escalates()
    {
        var state = Accept(IncidentState.Empty(Checkout), new AlertsReceived([Firing()])).State;
        state = Accept(state, new TriageStarted()).State;
        var proposed = Accept(state, new ProposalReady(new RollbackCanary("shop/checkout", "x"), ProposalSource.Model, "x"));

        var denied = Accept(proposed.State, new ChangeRefused(proposed.State.Current!.ChangeId!, RefusalKind.Denied, "min_stable_weight"));

        Assert.Equal(IncidentPhase.Denied, denied.State.Current!.Phase);
        Assert.Contains(denied.Commands, c => c is NotifyEscalation);
    }

    [Theory]
    [InlineData(typeof(TriageStarted))]
    [InlineData(typeof(VerificationDue))]
    public void Events_out_of_order_are_rejected_with_a_reason_and_change_nothing(Type eventType)
    {
        var state = Accept(IncidentState.Empty(Checkout), new AlertsReceived([Firing()])).State;
        state = Accept(state, new TriageStarted()).State;
        var incidentEvent = (IncidentEvent)Activator.CreateInstance(eventType)!;

        var transition = _machine.Apply(state, incidentEvent, T0);

        Assert.False(transition.Accepted);
        Assert.Contains(eventType.Name, transition.Rejection);
        Assert.Same(state, transition.State);
        Assert.Empty(transition.Commands);
    }

    [Fact]
    public void Events_for_another_change_id_are_rejected()
    {
        var state = Accept(IncidentState.Empty(Checkout), new AlertsReceived([Firing()])).State;
        state = Accept(state, new TriageStarted()).State;
        state = Accept(state, new ProposalReady(new RollbackCanary("shop/checkout", "x"), ProposalSource.Model, "x")).State;

        Assert.False(_machine.Apply(state, new ChangeApproved("someone-elses-change", false), T0).Accepted);
    }

    [Fact]
    public void Resume_repeats_the_pending_step_with_the_same_change_id()
    {
        var state = Accept(IncidentState.Empty(Checkout), new AlertsReceived([Firing()])).State;
        state = Accept(state, new TriageStarted()).State;
        var proposed = Accept(state, new ProposalReady(new RollbackCanary("shop/checkout", "x"), ProposalSource.Model, "x"));

        var resumed = Assert.IsType<SubmitProposal>(Assert.Single(_machine.Resume(proposed.State)));

        Assert.Equal(((SubmitProposal)proposed.Commands[0]).ChangeId, resumed.ChangeId);
    }

    [Fact]
    public void State_round_trips_through_json_with_its_schema_version()
    {
        var state = Accept(Applied(), new VerificationDue()).State;

        var json = IncidentStateJson.Serialize(state);
        var back = IncidentStateJson.Deserialize(json);

        Assert.Contains("\"schemaVersion\":1", json);
        Assert.Equal(IncidentStateJson.Serialize(back), json);
        Assert.IsType<RollbackCanary>(back.Current!.Proposal);
        Assert.Equal(IncidentPhase.Verifying, back.Current.Phase);
    }

    [Fact]
    public void Json_of_another_schema_version_is_refused_with_both_versions_named()
    {
        var json = IncidentStateJson.Serialize(IncidentState.Empty(Checkout)).Replace("\"schemaVersion\":1", "\"schemaVersion\":7");

        var e = Assert.Throws<FormatException>(() => IncidentStateJson.Deserialize(json));

        Assert.Contains("7", e.Message);
        Assert.Contains("1", e.Message);
    }
}
