using System.Text.Json;
using System.Text.RegularExpressions;
using Autopilot.Deployment.Tests.Support;
using Autopilot.Testing;

namespace Autopilot.Deployment.Tests;

/// <summary>deploy/grafana/autopilot-dashboard.json: Grafana can import it, and every query names metrics the apps export.</summary>
public sealed partial class GrafanaDashboardTests
{
    private static readonly string DashboardFile = Repo.PathOf("deploy", "grafana", "autopilot-dashboard.json");

    private static readonly HashSet<string> PromQlWords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless", "le",
    };

    private static JsonElement Dashboard() => JsonDocument.Parse(File.ReadAllText(DashboardFile)).RootElement;

    private static IEnumerable<JsonElement> Panels() => Dashboard().GetProperty("panels").EnumerateArray();

    private static IReadOnlyList<(string Panel, string Expr)> Queries() =>
        [.. Panels().SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (p.GetProperty("title").GetString()!, t.GetProperty("expr").GetString()!)))];

    [Fact]
    public void The_dashboard_parses_as_an_importable_grafana_dashboard_with_a_prometheus_data_source_choice()
    {
        var dashboard = Dashboard();

        Assert.False(string.IsNullOrEmpty(dashboard.GetProperty("uid").GetString()));
        Assert.True(dashboard.GetProperty("schemaVersion").GetInt32() >= 36);
        var variable = Assert.Single(dashboard.GetProperty("templating").GetProperty("list").EnumerateArray());
        Assert.Equal(("datasource", "prometheus"), (variable.GetProperty("type").GetString(), variable.GetProperty("query").GetString()));
        Assert.All(Panels(), p => Assert.Equal("${datasource}", p.GetProperty("datasource").GetProperty("uid").GetString()));
        Assert.Equal(Panels().Count(), Panels().Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        Assert.All(Queries(), q => Assert.True(Balanced(q.Expr), $"{q.Panel}: unbalanced brackets in {q.Expr}"));
    }

    [Fact]
    public void The_dashboard_shows_what_the_issue_asks_for()
    {
        var titles = Panels().Select(p => p.GetProperty("title").GetString()!).ToHashSet();

        Assert.Subset(titles, new HashSet<string>
        {
            "Incidents open", "Proposals by verdict", "Route changes", "Decision latency", "Model tokens/s", "Inference pool queue", "Notification failures",
        });
    }

    [Fact]
    public async Task Every_query_names_only_metrics_the_apps_export_on_a_real_scrape()
    {
        var exported = await ExportedMetrics.NamesAsync();
        Assert.Contains("autopilot_incidents_open", exported); // the scrape saw the apps' own instruments

        var unknown = Queries()
            .SelectMany(q => MetricNames(q.Expr).Select(name => (q.Panel, name)))
            .Where(q => !exported.Contains(q.name))
            .Select(q => $"{q.Panel}: {q.name}")
            .ToList();

        Assert.NotEmpty(Queries());
        Assert.True(unknown.Count == 0, $"queries name metrics no app exports: {string.Join(", ", unknown)}");
    }

    [Theory]
    [InlineData("sum by (le) (rate(autopilot_x_bucket{job=\"a\", le!=\"+Inf\"}[$__rate_interval]))", "autopilot_x_bucket")]
    [InlineData("sum(increase(a_total[$__range])) / on(instance) group_left b", "a_total b")]
    [InlineData("histogram_quantile(0.95, sum without (pod) (rate(c_bucket[5m]))) > bool 1", "c_bucket")]
    public void Metric_names_are_read_from_a_query_without_functions_labels_or_variables(string expr, string names)
    {
        Assert.Equal(names.Split(' '), MetricNames(expr));
    }

    /// <summary>The metric names of a PromQL expression: what is left once strings, label matchers, grouping clauses,
    /// ranges and Grafana variables are taken out, less function calls and keywords.</summary>
    private static IReadOnlyList<string> MetricNames(string expr)
    {
        var stripped = Strings().Replace(expr, "\"\"");
        stripped = LabelMatchers().Replace(stripped, " ");
        stripped = Grouping().Replace(stripped, " ");
        stripped = Ranges().Replace(stripped, " ");
        stripped = Variables().Replace(stripped, " ");
        return [.. Identifiers().Matches(stripped)
            .Where(m => !stripped[(m.Index + m.Length)..].TrimStart().StartsWith('('))
            .Select(m => m.Value)
            .Where(name => !PromQlWords.Contains(name))
            .Distinct()];
    }

    private static bool Balanced(string expr)
    {
        var depth = 0;
        foreach (var c in expr)
        {
            depth += c is '(' or '{' or '[' ? 1 : c is ')' or '}' or ']' ? -1 : 0;
            if (depth < 0) return false;
        }
        return depth == 0;
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\$\{?\w+\}?")]
    private static partial Regex Variables();

    [GeneratedRegex(@"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifiers();
}
