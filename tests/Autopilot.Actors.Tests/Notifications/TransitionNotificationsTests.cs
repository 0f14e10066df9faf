using Autopilot.Incidents.Notifications;
using Autopilot.Remediation.Incidents;
using static Autopilot.Actors.Tests.Notifications.NotificationSamples;

namespace Autopilot.Actors.Tests.Notifications;

public sealed class TransitionNotificationsTests
{
    [Theory]
    [InlineData(IncidentPhase.Escalated, NotificationKind.Escalated)]
    [InlineData(IncidentPhase.Denied, NotificationKind.Escalated)]
    [InlineData(IncidentPhase.Applied, NotificationKind.ChangeApplied)]
    [InlineData(IncidentPhase.RolledBack, NotificationKind.RolledBack)]
    [InlineData(IncidentPhase.Resolved, NotificationKind.Resolved)]
    public void A_move_into_a_phase_people_care_about_makes_one_message(IncidentPhase to, NotificationKind kind)
    {
        var before = Triaging();
        var after = Moved(before, to, "what happened");

        var message = Assert.Single(TransitionNotifications.For(before, after, Record("warning"), Options(Receiver())));

        Assert.Equal(kind, message.Kind);
        Assert.Equal($"{IncidentId}/{NotificationNames.Of(kind)}/2", message.Key);
        Assert.Equal("what happened", message.Summary);
        Assert.Equal(("shop/checkout", "shop", "rollback_canary"), (message.Workload, message.Namespace, message.Action));
        Assert.Equal($"https://autopilot.example.com/console/incidents/{IncidentId}", message.ConsoleUrl);
        Assert.Equal(["everyone"], message.Receivers);
    }

    [Theory]
    [InlineData(IncidentPhase.Proposed)]
    [InlineData(IncidentPhase.Approved)]
    [InlineData(IncidentPhase.Verifying)]
    [InlineData(IncidentPhase.Restoring)]
    public void A_move_into_a_working_phase_makes_no_message(IncidentPhase to)
    {
        var before = Triaging();

        Assert.Empty(TransitionNotifications.For(before, Moved(before, to, "working"), Record(), Options(Receiver())));
    }

    [Fact]
    public void A_change_sent_to_a_person_makes_an_approval_message_once()
    {
        var proposed = Moved(Triaging(), IncidentPhase.Proposed, "proposed");
        var waiting = proposed with { AwaitingApproval = true };
        var options = Options(Receiver());

        var message = Assert.Single(TransitionNotifications.For(proposed, waiting, Record(), options));
        Assert.Equal(NotificationKind.ApprovalNeeded, message.Kind);
        Assert.Contains("waits for a person to approve", message.Summary);
        // The next poll finds it still waiting: nothing new to say.
        Assert.Empty(TransitionNotifications.For(waiting, waiting with { UpdatedAt = waiting.UpdatedAt.AddMinutes(1) }, Record(), options));
    }

    [Fact]
    public void The_same_transition_always_has_the_same_key_and_the_next_one_another()
    {
        var before = Triaging();
        var applied = Moved(before, IncidentPhase.Applied, "applied");
        var options = Options(Receiver());

        var first = Assert.Single(TransitionNotifications.For(before, applied, Record(), options));
        var again = Assert.Single(TransitionNotifications.For(before, applied, Record(), options));
        var resolved = Assert.Single(TransitionNotifications.For(applied, Moved(applied, IncidentPhase.Resolved, "done"), Record(), options));

        Assert.Equal(first.Key, again.Key);
        Assert.NotEqual(first.Key, resolved.Key);
    }

    [Fact]
    public void A_new_incident_is_compared_with_nothing_rather_than_with_the_one_it_follows()
    {
        var old = Moved(Triaging(), IncidentPhase.Escalated, "old one") with { Id = "older" };
        var escalatedAtOnce = Moved(Triaging(), IncidentPhase.Escalated, "new one");

        Assert.Equal(NotificationKind.Escalated, Assert.Single(TransitionNotifications.For(old, escalatedAtOnce, Record(), Options(Receiver()))).Kind);
    }

    [Fact]
    public void Receivers_are_chosen_by_namespace_severity_and_event()
    {
        var before = Triaging();
        var escalated = Moved(before, IncidentPhase.Escalated, "escalated");
        var options = Options(
            Receiver("all"),
            Receiver("shop-team", namespaces: ["shop"]),
            Receiver("payments-team", namespaces: ["payments"]),
            Receiver("pager", severities: ["CRITICAL"]),
            Receiver("tickets", severities: ["warning"]),
            Receiver("escalations", events: ["escalated"]),
            Receiver("resolutions", events: ["Resolved"]));

        var message = Assert.Single(TransitionNotifications.For(before, escalated, Record("warning", "critical", "info"), options));

        Assert.Equal("critical", message.Severity);
        // The incident is as severe as its most severe alert: critical, not warning.
        Assert.Equal(["all", "shop-team", "pager", "escalations"], message.Receivers);
    }

    [Fact]
    public void A_severity_filter_does_not_match_an_incident_without_severity_and_nobody_wanting_it_makes_no_message()
    {
        var before = Triaging();

        Assert.Empty(TransitionNotifications.For(before, Moved(before, IncidentPhase.Escalated, "x"), Record(), Options(Receiver("pager", severities: ["critical"]))));
    }
}
