using Autopilot.Remediation.Policies;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;
using static Autopilot.Remediation.Tests.Proposals.RouteFixtures;

namespace Autopilot.Remediation.Tests.Policies;

public class PolicyEngineTests
{
    // Friday 2026-11-27 12:00 UTC.
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] AllActions = [.. ActionNames.All];

    private static RoutePolicy Policy(
        int minStable = 0, int maxStep = 100, ChangeBudget? budget = null, FreezeWindow[]? freeze = null,
        string[]? allowed = null, string[]? approval = null, bool dryRun = false, string[]? namespaces = null,
        int? minRps = null, int? maxRps = null) =>
        new("test", PolicySelector.ForRoute(Checkout), allowed ?? AllActions, minStable, maxStep, budget, freeze, approval, dryRun,
            namespaces, minRps, maxRps, "test.yaml");

    private static Verdict Evaluate(Proposal proposal, RoutePolicy policy, RouteState? route = null, LedgerEntry[]? ledger = null, DateTimeOffset? now = null) =>
        PolicyEngine.Evaluate(proposal, route ?? Checkout9010, ledger ?? [], now ?? Now, policy);

    private static void AssertAllowed(Verdict verdict) =>
        Assert.True(verdict.Allowed, string.Join("; ", verdict.Violations.Select(v => $"{v.Rule}: {v.Message}")));

    private static PolicyViolation AssertDeniedBy(string rule, Verdict verdict)
    {
        Assert.False(verdict.Allowed);
        return Assert.Single(verdict.Violations, v => v.Rule == rule);
    }

    [Fact]
    public void Stable_floor_allows_exactly_the_floor_and_denies_one_below()
    {
        var policy = Policy(minStable: 50);

        AssertAllowed(Evaluate(Shift(50, 50), policy));
        var violation = AssertDeniedBy("min_stable_weight", Evaluate(Shift(49, 51), policy));
        Assert.Equal("checkout-v1 would get 49%, policy floor is 50%", violation.Message);
    }

    [Fact]
    public void Stable_floor_applies_to_isolation_after_redistribution()
    {
        var route = Route((Stable, 40), (Canary, 40), ("checkout-v3", 20));
        var isolate = new IsolateBackend("shop/checkout", "checkout-v3", "bad");

        AssertAllowed(Evaluate(isolate, Policy(minStable: 50), route)); // v1 gets 50
        AssertDeniedBy("min_stable_weight", Evaluate(isolate, Policy(minStable: 51), route));
    }

    [Fact]
    public void Stable_floor_cannot_be_checked_without_a_stable_backend()
    {
        var route = Route(Checkout, stable: null, (Stable, 90), (Canary, 10));

        var violation = AssertDeniedBy("min_stable_weight", Evaluate(Shift(80, 20), Policy(minStable: 50), route));
        Assert.Contains("autopilot.io/stable-backend", violation.Message);
        AssertAllowed(Evaluate(Shift(80, 20), Policy(minStable: 0), route));
    }

    [Fact]
    public void Step_limit_allows_exactly_the_maximum_and_denies_one_more()
    {
        var policy = Policy(maxStep: 25);

        AssertAllowed(Evaluate(Shift(65, 35), policy));
        var violation = AssertDeniedBy("max_step_percent", Evaluate(Shift(64, 36), policy));
        Assert.Equal("checkout-v1 would move from 90% to 64% (26 points), policy allows at most 25 per step", violation.Message);
    }

    [Fact]
    public void Step_limit_applies_to_isolation()
    {
        var route = Route((Stable, 70), (Canary, 30));
        var isolate = new IsolateBackend("shop/checkout", Canary, "bad");

        AssertAllowed(Evaluate(isolate, Policy(maxStep: 30), route));
        AssertDeniedBy("max_step_percent", Evaluate(isolate, Policy(maxStep: 29), route));
    }

    [Fact]
    public void Rollback_is_exempt_from_the_step_limit()
    {
        var route = Route((Stable, 50), (Canary, 50));

        AssertAllowed(Evaluate(new RollbackCanary("shop/checkout", "v2 5xx"), Policy(maxStep: 10, minStable: 90), route));
    }

    [Fact]
    public void Step_is_measured_against_percentages_of_relative_route_weights()
    {
        var route = Route((Stable, 1), (Canary, 1)); // 50/50

        AssertAllowed(Evaluate(Shift(60, 40), Policy(maxStep: 10), route));
        AssertDeniedBy("max_step_percent", Evaluate(Shift(61, 39), Policy(maxStep: 10), route));
    }

    [Fact]
    public void Change_budget_allows_the_nth_change_and_denies_the_next()
    {
        var policy = Policy(budget: new ChangeBudget(3, TimeSpan.FromHours(1)));
        var two = Ledger(Now.AddMinutes(-50), Now.AddMinutes(-10));
        var three = Ledger(Now.AddMinutes(-50), Now.AddMinutes(-30), Now.AddMinutes(-10));

        AssertAllowed(Evaluate(Shift(80, 20), policy, ledger: two));
        var violation = AssertDeniedBy("max_changes", Evaluate(Shift(80, 20), policy, ledger: three));
        Assert.Equal("3 changes to shop/checkout in the last 1h, policy allows 3; next change possible at 2026-11-27T12:10:00Z", violation.Message);
    }

    [Fact]
    public void Change_budget_frees_up_once_the_window_slides()
    {
        var policy = Policy(budget: new ChangeBudget(3, TimeSpan.FromHours(1)));
        var oldest = Now.AddMinutes(-50);
        var ledger = Ledger(oldest, Now.AddMinutes(-30), Now.AddMinutes(-10));

        AssertDeniedBy("max_changes", Evaluate(Shift(80, 20), policy, ledger: ledger, now: oldest.AddHours(1).AddTicks(-1)));
        AssertAllowed(Evaluate(Shift(80, 20), policy, ledger: ledger, now: oldest.AddHours(1)));
    }

    [Fact]
    public void Change_budget_counts_only_traffic_changes_to_this_route()
    {
        var policy = Policy(budget: new ChangeBudget(1, TimeSpan.FromHours(1)));
        LedgerEntry[] ledger =
        [
            new(Now.AddMinutes(-5), new RouteRef("shop", "cart"), ActionNames.ShiftTraffic, "c1", "i1"),
            new(Now.AddMinutes(-5), Checkout, ActionNames.Escalate, "c2", "i2"),
            new(Now.AddMinutes(-5), Checkout, ActionNames.NoAction, "c3", "i3"),
        ];

        AssertAllowed(Evaluate(Shift(80, 20), policy, ledger: ledger));
        AssertDeniedBy("max_changes", Evaluate(Shift(80, 20), policy, ledger: [.. ledger, new(Now.AddMinutes(-5), Checkout, ActionNames.SetRateLimit, "c4", "i4")]));
    }

    [Fact]
    public void Change_budget_counts_entries_stamped_after_now()
    {
        var policy = Policy(budget: new ChangeBudget(1, TimeSpan.FromHours(1)));

        AssertDeniedBy("max_changes", Evaluate(Shift(80, 20), policy, ledger: Ledger(Now.AddSeconds(30))));
    }

    [Fact]
    public void Daily_freeze_window_covers_from_inclusive_to_exclusive_on_its_days()
    {
        var policy = Policy(freeze: [new DailyFreezeWindow("friday-evening", [DayOfWeek.Friday], TimeSpan.FromHours(18), TimeSpan.FromHours(20))]);
        var friday18 = new DateTimeOffset(2026, 11, 27, 18, 0, 0, TimeSpan.Zero);

        AssertAllowed(Evaluate(Shift(80, 20), policy, now: friday18.AddTicks(-1)));
        var violation = AssertDeniedBy("freeze_windows", Evaluate(Shift(80, 20), policy, now: friday18));
        Assert.Equal("2026-11-27T18:00:00Z is inside freeze window 'friday-evening' (Fri 18:00-20:00 UTC)", violation.Message);
        AssertDeniedBy("freeze_windows", Evaluate(Shift(80, 20), policy, now: friday18.AddHours(2).AddTicks(-1)));
        AssertAllowed(Evaluate(Shift(80, 20), policy, now: friday18.AddHours(2)));
        AssertAllowed(Evaluate(Shift(80, 20), policy, now: friday18.AddDays(1)));
    }

    [Fact]
    public void Overnight_freeze_window_belongs_to_the_day_it_starts()
    {
        var policy = Policy(freeze: [new DailyFreezeWindow("night", [DayOfWeek.Friday], TimeSpan.FromHours(22), TimeSpan.FromHours(6))]);
        var friday = new DateTimeOffset(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

        AssertAllowed(Evaluate(Shift(80, 20), policy, now: friday.AddHours(3)));       // Thursday's night: Thursday not listed
        AssertAllowed(Evaluate(Shift(80, 20), policy, now: friday.AddHours(22).AddTicks(-1)));
        AssertDeniedBy("freeze_windows", Evaluate(Shift(80, 20), policy, now: friday.AddHours(22)));
        AssertDeniedBy("freeze_windows", Evaluate(Shift(80, 20), policy, now: friday.AddHours(30).AddTicks(-1))); // Sat 05:59:59.9
        AssertAllowed(Evaluate(Shift(80, 20), policy, now: friday.AddHours(30)));      // Sat 06:00
    }

    [Fact]
    public void Fixed_freeze_window_covers_from_inclusive_to_exclusive()
    {
        var from = new DateTimeOffset(2026, 12, 24, 0, 0, 0, TimeSpan.Zero);
        var policy = Policy(freeze: [new FixedFreezeWindow("holidays", from, from.AddDays(3))]);

        AssertAllowed(Evaluate(Shift(80, 20), policy, now: from.AddTicks(-1)));
        AssertDeniedBy("freeze_windows", Evaluate(Shift(80, 20), policy, now: from));
        AssertDeniedBy("freeze_windows", Evaluate(Shift(80, 20), policy, now: from.AddDays(3).AddTicks(-1)));
        AssertAllowed(Evaluate(Shift(80, 20), policy, now: from.AddDays(3)));
    }

    [Fact]
    public void Actions_listed_for_approval_are_allowed_but_flagged()
    {
        var policy = Policy(approval: [ActionNames.IsolateBackend]);

        var isolate = Evaluate(new IsolateBackend("shop/checkout", Canary, "crash loop"), policy);
        AssertAllowed(isolate);
        Assert.True(isolate.RequiresHumanApproval);
        Assert.False(Evaluate(Shift(80, 20), policy).RequiresHumanApproval);
    }

    [Fact]
    public void Dry_run_policies_flag_the_verdict()
    {
        var verdict = Evaluate(Shift(80, 20), Policy(dryRun: true));

        AssertAllowed(verdict);
        Assert.True(verdict.DryRun);
        Assert.False(Evaluate(Shift(80, 20), Policy()).DryRun);
    }

    [Fact]
    public void Actions_the_policy_does_not_list_are_denied()
    {
        var policy = Policy(allowed: [ActionNames.RollbackCanary]);

        AssertAllowed(Evaluate(new RollbackCanary("shop/checkout", "bad"), policy));
        var violation = AssertDeniedBy("allowed_actions", Evaluate(Shift(80, 20), policy));
        Assert.Contains("shift_traffic is not allowed by policy 'test'", violation.Message);
    }

    [Fact]
    public void Escalate_and_no_action_are_always_allowed()
    {
        var hostile = Policy(allowed: [], namespaces: ["other"], budget: new ChangeBudget(1, TimeSpan.FromDays(1)),
            freeze: [new FixedFreezeWindow("always", DateTimeOffset.MinValue, DateTimeOffset.MaxValue)]);

        AssertAllowed(Evaluate(new Escalate("dependency down"), hostile, ledger: Ledger(Now.AddMinutes(-1))));
        AssertAllowed(Evaluate(new NoAction("flapping"), hostile));
        Assert.False(Evaluate(new Escalate("x"), Policy(approval: [ActionNames.Escalate])).RequiresHumanApproval);
    }

    [Fact]
    public void Routes_outside_the_allowed_namespaces_are_denied()
    {
        AssertAllowed(Evaluate(Shift(80, 20), Policy(namespaces: ["shop", "staging"])));
        var violation = AssertDeniedBy("namespaces", Evaluate(Shift(80, 20), Policy(namespaces: ["staging"])));
        Assert.Contains("'shop'", violation.Message);
    }

    [Fact]
    public void Rate_limits_outside_the_policy_bounds_are_denied_at_the_boundary()
    {
        var policy = Policy(minRps: 50, maxRps: 5000);

        AssertAllowed(Evaluate(new SetRateLimit("shop/checkout", 50, "surge"), policy));
        AssertAllowed(Evaluate(new SetRateLimit("shop/checkout", 5000, "surge"), policy));
        AssertDeniedBy("min_requests_per_second", Evaluate(new SetRateLimit("shop/checkout", 49, "surge"), policy));
        AssertDeniedBy("max_requests_per_second", Evaluate(new SetRateLimit("shop/checkout", 5001, "surge"), policy));
    }

    [Fact]
    public void Proposals_for_another_route_are_denied()
    {
        var violation = AssertDeniedBy("proposal", Evaluate(Shift(80, 20, route: "shop/cart"), Policy()));
        Assert.Contains("shop/cart", violation.Message);
    }

    [Fact]
    public void Every_violated_rule_is_reported()
    {
        var policy = Policy(
            minStable: 50, maxStep: 10, allowed: [ActionNames.RollbackCanary], namespaces: ["staging"],
            budget: new ChangeBudget(1, TimeSpan.FromHours(1)),
            freeze: [new DailyFreezeWindow("noon", Enum.GetValues<DayOfWeek>(), TimeSpan.FromHours(11), TimeSpan.FromHours(13)),
                     new FixedFreezeWindow("week", Now.AddDays(-1), Now.AddDays(1))]);

        var verdict = Evaluate(Shift(30, 70), policy, ledger: Ledger(Now.AddMinutes(-5)));

        Assert.False(verdict.Allowed);
        Assert.Equal(
            ["allowed_actions", "namespaces", "min_stable_weight", "max_step_percent", "max_changes", "freeze_windows", "freeze_windows"],
            verdict.Violations.Select(v => v.Rule));
    }

    [Fact]
    public void Verdict_carries_the_change_it_judged()
    {
        var verdict = Evaluate(new IsolateBackend("shop/checkout", Canary, "bad"), Policy());

        Assert.Equal(ChangeKind.IsolateBackend, verdict.Change!.Kind);
        Assert.Equal([100, 0], verdict.Change.After.Select(w => w.Weight));
        Assert.Null(Evaluate(new Escalate("x"), Policy()).Change);
    }

    [Fact]
    public void Same_inputs_give_the_same_verdict()
    {
        var policy = Policy(minStable: 50, maxStep: 10, budget: new ChangeBudget(1, TimeSpan.FromHours(1)));
        var ledger = Ledger(Now.AddMinutes(-5));

        var first = Evaluate(Shift(30, 70), policy, ledger: ledger);
        var second = Evaluate(Shift(30, 70), policy, ledger: ledger);

        Assert.Equal(first.Violations, second.Violations);
    }

    private static LedgerEntry[] Ledger(params DateTimeOffset[] times) =>
        times.Select((t, i) => new LedgerEntry(t, Checkout, ActionNames.ShiftTraffic, $"change-{i}", "incident-1")).ToArray();
}
