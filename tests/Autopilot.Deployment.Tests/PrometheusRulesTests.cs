using Autopilot.Testing;
using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests;

public class PrometheusRulesTests
{
    private const string Folder = "deploy/prometheus";
    private static string Promtool => Tools.Locate("promtool", "prometheus");

    private static IReadOnlyList<Map> AlertRules(string file) =>
        Yaml.LoadSingle(Repo.PathOf(Folder, file)).MapsAt("groups").SelectMany(g => g.MapsAt("rules"))
            .Where(r => r.Str("alert") is not null).ToList();

    [Theory]
    [InlineData("rules.yaml")]
    [InlineData("rules-fast.yaml")]
    public void Promtool_accepts_the_rules(string file)
    {
        var (exitCode, output) = Tools.Run(Promtool, ["check", "rules", file], Repo.PathOf(Folder));
        Assert.True(exitCode == 0, $"promtool check rules {file} failed:\n{output}");
    }

    [Fact]
    public void Rules_behave_as_specified_on_synthetic_series()
    {
        // rules-test.yaml feeds series for each scenario (bad canary, all versions failing, dependency outage, …)
        // and states which alerts must and must not fire, with their labels.
        var (exitCode, output) = Tools.Run(Promtool, ["test", "rules", "rules-test.yaml"], Repo.PathOf(Folder));
        Assert.True(exitCode == 0, $"promtool test rules failed:\n{output}");
    }

    [Fact]
    public void Fast_rules_fire_and_resolve_within_seconds_at_a_one_second_interval()
    {
        // rules-fast-test.yaml: a bad canary alerts within 20 s and resolves within 20 s of losing its traffic.
        var (exitCode, output) = Tools.Run(Promtool, ["test", "rules", "rules-fast-test.yaml"], Repo.PathOf(Folder));
        Assert.True(exitCode == 0, $"promtool test rules rules-fast-test.yaml failed:\n{output}");
    }

    [Fact]
    public void Every_shared_alert_name_has_a_rule_and_no_other_name_does()
    {
        var names = AlertRules("rules.yaml").Select(r => r.Required("alert")).ToHashSet();
        Assert.Equal(SharedNames.WorkloadAlerts.Append(SharedNames.SelfAlert).Order(), names.Order());
    }

    [Fact]
    public void Workload_alerts_carry_severity_and_keep_namespace_and_workload_labels()
    {
        foreach (var rule in AlertRules("rules.yaml").Where(r => SharedNames.WorkloadAlerts.Contains(r.Required("alert"))))
        {
            Assert.Contains(rule.Required("labels", "severity"), new[] { "critical", "warning", "info" });
            Assert.NotNull(rule.Str("for"));
            Assert.NotNull(rule.Str("annotations", "summary"));
            Assert.Contains("$labels.namespace", rule.Required("annotations", "summary"));
        }
    }

    [Fact]
    public void Autopilot_health_alerts_exist_for_down_missing_and_stuck()
    {
        var reasons = AlertRules("rules.yaml").Where(r => r.Str("alert") == SharedNames.SelfAlert)
            .Select(r => r.Required("labels", "reason")).Order();
        Assert.Equal(new[] { "down", "missing", "stuck" }, reasons);
    }

    [Fact]
    public void Fast_rules_are_the_production_rules_with_short_windows()
    {
        var expected = FastRules.FromProductionRules(File.ReadAllText(Repo.PathOf(Folder, "rules.yaml")));
        var path = Repo.PathOf(Folder, "rules-fast.yaml");
        if (Environment.GetEnvironmentVariable("AUTOPILOT_WRITE_FAST_RULES") == "1") File.WriteAllText(path, expected);
        Assert.True(File.Exists(path) && File.ReadAllText(path) == expected,
            $"{Folder}/rules-fast.yaml is not rules.yaml with the FastRules windows. Regenerate it with " +
            "AUTOPILOT_WRITE_FAST_RULES=1 dotnet test tests/Autopilot.Deployment.Tests");
    }

    [Fact]
    public void Fast_rules_keep_every_rule_and_label_of_the_production_rules()
    {
        static IEnumerable<string> Shape(string file) => Yaml.LoadSingle(Repo.PathOf(Folder, file)).MapsAt("groups")
            .SelectMany(g => g.MapsAt("rules").Select(r =>
                $"{g.Str("name")}|{r.Str("alert") ?? r.Str("record")}|{string.Join(",", (r.MapAt("labels") ?? new Map()).Select(l => $"{l.Key}={l.Value}"))}"));
        Assert.Equal(Shape("rules.yaml"), Shape("rules-fast.yaml"));
        Assert.DoesNotContain(AlertRules("rules-fast.yaml"), r => r.Required("for").EndsWith('m'));
    }

    [Fact]
    public void Fast_windows_match_the_stand_alone_evaluators_fast_settings()
    {
        // AlertRuleSettings.Fast: rate window 10s, flap rate window 2s, flap window 30s, restart window 15s, for 3s.
        Assert.Equal("10s", FastRules.Ranges["1m"]);
        Assert.Equal("2s", FastRules.Ranges["30s"]);
        Assert.Equal("30s", FastRules.Ranges["10m"]);
        Assert.Equal("15s", FastRules.Ranges["5m"]);
        Assert.Equal("3s", FastRules.ForDurations["1m"]);
    }

    [Fact]
    public void An_unscaled_window_is_refused()
    {
        var error = Assert.Throws<InvalidDataException>(() => FastRules.FromProductionRules("expr: rate(x[7m])\n"));
        Assert.Contains("'7m'", error.Message);
        Assert.Equal(FastRules.Header + "  for: 3s\nexpr: rate(x[10s]) and y[60s:10s]\n",
            FastRules.FromProductionRules("  for: 1m\nexpr: rate(x[1m]) and y[30m:1m]\n"));
    }
}
