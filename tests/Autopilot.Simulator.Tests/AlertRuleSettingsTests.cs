using Autopilot.Testing;
using System.Globalization;
using System.Text.RegularExpressions;
using Autopilot.Simulator.Alerting;
using YamlDotNet.RepresentationModel;

namespace Autopilot.Simulator.Tests;

/// <summary>
/// The built-in evaluator (<see cref="AlertRuleSettings.Standard"/>) and deploy/prometheus/rules.yaml must state the
/// same conditions, or the demo would alert where production does not (or the other way round).
/// </summary>
public sealed partial class AlertRuleSettingsTests
{
    private static readonly AlertRuleSettings Standard = AlertRuleSettings.Standard;

    private static IReadOnlyDictionary<string, (string Expr, string For)> Rules()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Repo.Root, "deploy", "prometheus", "rules.yaml")))
            yaml.Load(reader);
        var rules = new Dictionary<string, (string, string)>();
        var records = new List<string>();
        foreach (var group in (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["groups"])
        foreach (YamlMappingNode rule in (YamlSequenceNode)((YamlMappingNode)group)["rules"])
        {
            var expr = ((YamlScalarNode)rule["expr"]).Value!;
            if (rule.Children.TryGetValue("alert", out var alert))
            {
                // The first rule of a name is the workload alert; AutopilotUnhealthy has several and is not simulated.
                rules.TryAdd(((YamlScalarNode)alert).Value!, (expr, ((YamlScalarNode)rule["for"]).Value!));
            }
            else
            {
                records.Add(expr);
            }
        }
        rules["(recording rules)"] = (string.Join("\n", records), "");
        return rules;
    }

    private static double Number(string expr, Regex pattern)
    {
        var match = pattern.Match(expr);
        Assert.True(match.Success, $"'{pattern}' not found in: {expr}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static TimeSpan Duration(string text) => text[^1] switch
    {
        's' => TimeSpan.FromSeconds(int.Parse(text[..^1], CultureInfo.InvariantCulture)),
        'm' => TimeSpan.FromMinutes(int.Parse(text[..^1], CultureInfo.InvariantCulture)),
        'h' => TimeSpan.FromHours(int.Parse(text[..^1], CultureInfo.InvariantCulture)),
        _ => throw new FormatException($"not a Prometheus duration this test knows: {text}"),
    };

    [Fact]
    public void Every_simulated_alert_has_a_rule_with_the_same_for_duration()
    {
        var rules = Rules();
        foreach (var name in AlertRuleSettings.AlertNames)
        {
            Assert.True(rules.ContainsKey(name), $"rules.yaml has no alert {name}");
            Assert.Equal(Standard.For, Duration(rules[name].For));
        }
    }

    [Fact]
    public void Error_latency_surge_crash_loop_certificate_and_flap_thresholds_agree_with_rules_yaml()
    {
        var rules = Rules();

        Assert.Equal(Standard.ErrorRatioThreshold, Number(rules[AlertRuleSettings.CanaryHighErrorRate].Expr, GreaterThan()));
        Assert.Equal(Standard.ErrorRatioThreshold, Number(rules[AlertRuleSettings.AllVersionsFailing].Expr, GreaterThan()));
        Assert.Equal(Standard.LatencyP99ThresholdSeconds, Number(rules[AlertRuleSettings.CanaryLatencyRegression].Expr, GreaterThan()));
        Assert.Equal(Standard.SurgeRequestsPerSecond, Number(rules[AlertRuleSettings.TrafficSurge].Expr, GreaterThan()));
        Assert.Equal(Standard.CrashLoopRestarts, Number(rules[AlertRuleSettings.PodCrashLooping].Expr, GreaterThan()));
        Assert.Equal(Standard.CertificateExpiryThreshold.TotalSeconds, Number(rules[AlertRuleSettings.CertificateExpiringSoon].Expr, LessThan()));
        Assert.Equal(Standard.FlapChanges, Number(rules[AlertRuleSettings.AlertFlapping].Expr, AtLeast()));
        // The short failing flag the flap rule counts uses the same error threshold.
        Assert.Equal(Standard.ErrorRatioThreshold, Number(rules["(recording rules)"].Expr, BoolGreaterThan()));
    }

    [Fact]
    public void Rate_restart_and_flap_windows_agree_with_rules_yaml()
    {
        var rules = Rules();

        Assert.Equal(new[] { Standard.RateWindow, Standard.FlapRateWindow }.Order(), Windows(rules["(recording rules)"].Expr).Order());
        Assert.Equal([Standard.RestartWindow], Windows(rules[AlertRuleSettings.PodCrashLooping].Expr));
        Assert.Equal([Standard.FlapWindow], Windows(rules[AlertRuleSettings.AlertFlapping].Expr));
    }

    private static TimeSpan[] Windows(string expr) =>
        [.. RangeSelector().Matches(expr).Select(m => Duration(m.Groups[1].Value)).Distinct()];

    [GeneratedRegex(@"(?<!bool )>\s*([0-9.]+)")]
    private static partial Regex GreaterThan();

    [GeneratedRegex(@"<\s*([0-9.]+)")]
    private static partial Regex LessThan();

    [GeneratedRegex(@">=\s*([0-9.]+)")]
    private static partial Regex AtLeast();

    [GeneratedRegex(@">\s*bool\s+([0-9.]+)")]
    private static partial Regex BoolGreaterThan();

    [GeneratedRegex(@"\[(\d+[smh])\]")]
    private static partial Regex RangeSelector();
}
