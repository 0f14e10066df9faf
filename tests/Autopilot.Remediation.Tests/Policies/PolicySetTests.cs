using Autopilot.Remediation.Policies;
using Autopilot.Remediation.Proposals;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Tests.Policies;

public sealed class PolicySetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("autopilot-policies-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string RepositoryPath(string relative) => Autopilot.Testing.Repo.PathOf(relative);

    private static PolicyValidationException Invalid(string yaml) =>
        Assert.Throws<PolicyValidationException>(() => PolicySet.Load(yaml, "test.yaml"));

    private static PolicyProblem SingleProblem(string yaml, string key)
    {
        var problems = Invalid(yaml).Problems;
        return Assert.Single(problems, p => p.Key == key);
    }

    private const string Minimal = """
        policies:
          - name: checkout
            selector: {route: shop/checkout}
            allowed_actions: [shift_traffic]

        """;

    [Fact]
    public void Shipped_policies_load_and_select_by_specificity()
    {
        var set = PolicySet.LoadDirectory(RepositoryPath("policies"));

        var checkout = set.Resolve(new RouteRef("shop", "checkout"));
        Assert.Equal("shop-checkout", checkout.Name);
        Assert.Equal(50, checkout.MinStableWeight);
        Assert.Equal(25, checkout.MaxStepPercent);
        Assert.Equal(new ChangeBudget(6, TimeSpan.FromHours(1)), checkout.MaxChanges); // a mitigation + a 4-step restore
        Assert.Contains(ActionNames.IsolateBackend, checkout.RequireApprovalOrEmpty);
        Assert.Empty(checkout.FreezeWindowsOrEmpty); // rolling back checkout must stay possible at peak
        Assert.EndsWith("default.yaml", checkout.Source);
        var shop = set.Resolve(new RouteRef("shop", "cart"));
        Assert.Equal("shop", shop.Name);
        Assert.Equal(["weekend", "settlement-batch"], shop.FreezeWindowsOrEmpty.Select(w => w.Name));
        var fallback = set.Resolve(new RouteRef("billing", "api"));
        Assert.Equal("default", fallback.Name);
        Assert.True(fallback.DryRun);
    }

    [Fact]
    public void Policy_reference_shows_the_shipped_file_verbatim()
    {
        var docs = File.ReadAllText(RepositoryPath("docs/policy.md")).ReplaceLineEndings("\n");

        Assert.Contains(File.ReadAllText(RepositoryPath("policies/default.yaml")).ReplaceLineEndings("\n"), docs);
    }

    [Fact]
    public void Omitted_keys_take_the_documented_defaults()
    {
        var policy = PolicySet.Load(Minimal, "test.yaml").Policies.Single();

        Assert.Equal(0, policy.MinStableWeight);
        Assert.Equal(100, policy.MaxStepPercent);
        Assert.Null(policy.MaxChanges);
        Assert.Empty(policy.FreezeWindowsOrEmpty);
        Assert.Empty(policy.RequireApprovalOrEmpty);
        Assert.False(policy.DryRun);
        Assert.Null(policy.Namespaces);
        Assert.Null(policy.MinRequestsPerSecond);
        Assert.Null(policy.MaxRequestsPerSecond);
    }

    [Fact]
    public void Routes_no_policy_selects_get_the_built_in_policy_that_changes_nothing()
    {
        var set = PolicySet.Load(Minimal, "test.yaml");

        var policy = set.Resolve(new RouteRef("billing", "api"));

        Assert.Same(RoutePolicy.NoPolicy, policy);
        Assert.Empty(policy.AllowedActions);
    }

    [Fact]
    public void Freeze_windows_parse_in_both_forms()
    {
        var policy = PolicySet.Load("""
            policies:
              - name: p
                selector: {default: true}
                allowed_actions: []
                freeze_windows:
                  - name: weekend
                    days: [sat, SUN]
                    from: "00:00"
                    to: "24:00"
                  - from: "22:30"
                    to: "06:00"
                  - name: release
                    from: 2026-12-24T00:00:00Z
                    to: 2026-12-27T08:00:00+01:00
            """, "test.yaml").Policies.Single();

        var windows = policy.FreezeWindowsOrEmpty;
        Assert.Equal(new[] { DayOfWeek.Sunday, DayOfWeek.Saturday }, ((DailyFreezeWindow)windows[0]).Days);
        Assert.Equal(TimeSpan.FromDays(1), ((DailyFreezeWindow)windows[0]).To);
        Assert.Equal(7, ((DailyFreezeWindow)windows[1]).Days.Count);
        Assert.Equal("freeze_windows[1]", windows[1].Name);
        Assert.Equal(new DateTimeOffset(2026, 12, 27, 7, 0, 0, TimeSpan.Zero), ((FixedFreezeWindow)windows[2]).To);
    }

    [Theory]
    [InlineData("max_step: 20", "policies[0] (checkout).max_step", "did you mean 'max_step_percent'?")]
    [InlineData("min_stable_weight: 101", "policies[0] (checkout).min_stable_weight", "an integer 0..100, got '101'")]
    [InlineData("min_stable_weight: \"50\"", "policies[0] (checkout).min_stable_weight", "quoted string")]
    [InlineData("max_step_percent: 0", "policies[0] (checkout).max_step_percent", "an integer 1..100")]
    [InlineData("dry_run: yes", "policies[0] (checkout).dry_run", "true or false")]
    [InlineData("max_changes: {count: 3}", "policies[0] (checkout).max_changes.window", "missing")]
    [InlineData("max_changes: {count: 0, window: 1h}", "policies[0] (checkout).max_changes.count", "an integer 1..10000")]
    [InlineData("max_changes: {count: 3, window: 60}", "policies[0] (checkout).max_changes.window", "duration")]
    [InlineData("max_changes: {count: 3, window: 1h, burst: 2}", "policies[0] (checkout).max_changes.burst", "unknown key")]
    [InlineData("require_approval: [rollback_canary]", "policies[0] (checkout).require_approval", "not in allowed_actions")]
    [InlineData("require_approval: [escalate]", "policies[0] (checkout).require_approval", "changes no traffic")]
    [InlineData("namespaces: [billing]", "policies[0] (checkout).namespaces", "does not include 'shop'")]
    [InlineData("namespaces: []", "policies[0] (checkout).namespaces", "is empty")]
    [InlineData("min_requests_per_second: 500\n    max_requests_per_second: 100", "policies[0] (checkout).min_requests_per_second", "above max_requests_per_second")]
    [InlineData("freeze_windows: [{from: \"18:00\"}]", "policies[0] (checkout).freeze_windows[0].to", "missing")]
    [InlineData("freeze_windows: [{from: \"18:00\", to: \"18:00\"}]", "policies[0] (checkout).freeze_windows[0].to", "equals from")]
    [InlineData("freeze_windows: [{from: \"25:00\", to: \"26:00\"}]", "policies[0] (checkout).freeze_windows[0]", "HH:MM")]
    [InlineData("freeze_windows: [{from: \"2026-12-24T00:00:00\", to: \"2026-12-25T00:00:00\"}]", "policies[0] (checkout).freeze_windows[0]", "offset")]
    [InlineData("freeze_windows: [{from: \"2026-12-25T00:00:00Z\", to: \"2026-12-24T00:00:00Z\"}]", "policies[0] (checkout).freeze_windows[0].to", "not after from")]
    [InlineData("freeze_windows: [{from: \"2026-12-24T00:00:00Z\", to: \"2026-12-25T00:00:00Z\", days: [mon]}]", "policies[0] (checkout).freeze_windows[0].days", "only applies to daily")]
    [InlineData("freeze_windows: [{days: [funday], from: \"18:00\", to: \"20:00\"}]", "policies[0] (checkout).freeze_windows[0].days", "valid: mon, tue")]
    public void Invalid_values_are_reported_with_key_and_what_is_valid(string extra, string key, string expected)
    {
        var problem = SingleProblem(Minimal + "    " + extra + "\n", key);

        Assert.Contains(expected, problem.Message);
        Assert.Equal("test.yaml", problem.Source);
        Assert.True(problem.Line > 0);
    }

    [Theory]
    [InlineData("policies: []", "policies", "non-empty list")]
    [InlineData("polices: []", "polices", "did you mean 'policies'?")]
    [InlineData("version: 2\npolicies: [{name: a, selector: {default: true}, allowed_actions: []}]", "version", "expected 1")]
    [InlineData("policies: [{name: a, allowed_actions: []}]", "policies[0] (a).selector", "missing")]
    [InlineData("policies: [{name: a, selector: {}, allowed_actions: []}]", "policies[0] (a).selector", "exactly one of")]
    [InlineData("policies: [{name: a, selector: {route: shop/checkout, namespace: shop}, allowed_actions: []}]", "policies[0] (a).selector", "exactly one of")]
    [InlineData("policies: [{name: a, selector: {route: checkout}, allowed_actions: []}]", "policies[0] (a).selector.route", "<namespace>/<name>")]
    [InlineData("policies: [{name: a, selector: {namespace: Shop_1}, allowed_actions: []}]", "policies[0] (a).selector.namespace", "namespace name")]
    [InlineData("policies: [{name: a, selector: {default: false}, allowed_actions: []}]", "policies[0] (a).selector.default", "expected true")]
    [InlineData("policies: [{name: a, selector: {default: true}}]", "policies[0] (a).allowed_actions", "missing")]
    [InlineData("policies: [{name: a, selector: {default: true}, allowed_actions: [reboot]}]", "policies[0] (a).allowed_actions", "'reboot' is not an action")]
    [InlineData("policies: [{name: a, selector: {default: true}, allowed_actions: [rollback_canary, rollback_canary]}]", "policies[0] (a).allowed_actions", "more than once")]
    [InlineData("policies: [{name: a, selector: {default: true}, allowed_actions: rollback_canary}]", "policies[0] (a).allowed_actions", "expected a list")]
    [InlineData("policies: [{selector: {default: true}, allowed_actions: []}]", "policies[0].name", "missing")]
    [InlineData("policies: [{name: Not Valid, selector: {default: true}, allowed_actions: []}]", "policies[0].name", "not a valid name")]
    [InlineData("policies: [{name: a, selector: {default: true}, allowed_actions: []}, {name: a, selector: {namespace: shop}, allowed_actions: []}]", "name", "more than once")]
    [InlineData("policies: [{name: a, selector: {default: true}, allowed_actions: []}, {name: b, selector: {default: true}, allowed_actions: []}]", "selector", "more than one policy")]
    [InlineData("policies:\n  - name: a\n    name: b\n    selector: {default: true}\n    allowed_actions: []", "(yaml)", "not valid YAML")]
    [InlineData("policies: [{name: a, selector: {default: true}, allowed_actions: [}", "(yaml)", "not valid YAML")]
    [InlineData("just a string", "(root)", "expected a mapping")]
    [InlineData("", "policies", "empty")]
    public void Invalid_files_are_reported_with_key_and_what_is_valid(string yaml, string key, string expected)
    {
        var problems = Invalid(yaml).Problems;

        Assert.Contains(problems, p => p.Key == key && p.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_problem_is_reported_not_just_the_first()
    {
        var e = Invalid("""
            policies:
              - name: checkout
                selector: {route: shop/checkout}
                allowed_actions: [shift_traffic, teleport]
                min_stable_weight: 150
                max_step_percnt: 10
                dry_run: maybe
            """);

        Assert.Equal(4, e.Problems.Count);
        Assert.Equal([4, 5, 6, 7], e.Problems.Select(p => p.Line).Order());
        Assert.Contains("test.yaml:5: policies[0] (checkout).min_stable_weight: expected an integer 0..100, got '150'", e.Message);
    }

    [Fact]
    public void Directory_loading_reports_problems_per_file_and_conflicts_across_files()
    {
        File.WriteAllText(Path.Combine(_dir, "a.yaml"), "policies: [{name: one, selector: {namespace: shop}, allowed_actions: []}]");
        File.WriteAllText(Path.Combine(_dir, "b.yml"), "policies: [{name: two, selector: {namespace: shop}, allowed_actions: []}]");
        File.WriteAllText(Path.Combine(_dir, "c.yaml"), "policies: [{name: three, selector: {default: true}, allowed_actions: [], dry_run: 1}]");
        File.WriteAllText(Path.Combine(_dir, "notes.txt"), "not a policy");

        var problems = Assert.Throws<PolicyValidationException>(() => PolicySet.LoadDirectory(_dir)).Problems;

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Source.EndsWith("c.yaml", StringComparison.Ordinal) && p.Key.EndsWith("dry_run", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Key == "selector" && p.Message.Contains("a.yaml") && p.Message.Contains("b.yml"));
    }

    [Fact]
    public void Directory_loading_merges_files()
    {
        File.WriteAllText(Path.Combine(_dir, "a.yaml"), "policies: [{name: one, selector: {namespace: shop}, allowed_actions: []}]");
        File.WriteAllText(Path.Combine(_dir, "b.yaml"), "policies: [{name: two, selector: {route: shop/checkout}, allowed_actions: [rollback_canary]}]");

        var set = PolicySet.LoadDirectory(_dir);

        Assert.Equal("two", set.Resolve(new RouteRef("shop", "checkout")).Name);
        Assert.Equal("one", set.Resolve(new RouteRef("shop", "cart")).Name);
    }

    [Fact]
    public void Empty_or_missing_directories_are_refused()
    {
        Assert.Contains("no *.yaml", Assert.Throws<PolicyValidationException>(() => PolicySet.LoadDirectory(_dir)).Message);
        Assert.Contains("does not exist", Assert.Throws<PolicyValidationException>(() => PolicySet.LoadDirectory(Path.Combine(_dir, "nope"))).Message);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("15m", 900)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("2d", 172800)]
    public void Durations_parse(string text, int seconds)
    {
        Assert.True(PolicyDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
        Assert.Equal(text, PolicyDuration.Format(duration));
    }

    [Theory]
    [InlineData("")]
    [InlineData("60")]
    [InlineData("1m1h")]
    [InlineData("1.5h")]
    [InlineData("-1h")]
    [InlineData("1 h")]
    public void Malformed_durations_do_not_parse(string text) => Assert.False(PolicyDuration.TryParse(text, out _));
}
