using System.Text.RegularExpressions;

namespace Autopilot.Deployment.Tests;

/// <summary>
/// deploy/prometheus/rules-fast.yaml is deploy/prometheus/rules.yaml with every range selector and `for:` shortened
/// by these tables, for tests that run Prometheus with a 1 s scrape and evaluation interval. The tables match the
/// stand-alone evaluator's AlertRuleSettings.Fast (rate window 10s, restart window 15s, flap window 30s, flap rate
/// window 2s, for 3s). A duration missing from a table is an error, so a new window cannot slip through unscaled.
/// Regenerate the file with: AUTOPILOT_WRITE_FAST_RULES=1 dotnet test tests/Autopilot.Deployment.Tests
/// </summary>
public static partial class FastRules
{
    public static readonly IReadOnlyDictionary<string, string> Ranges = new Dictionary<string, string>
    {
        ["30s"] = "2s",   // flap rate window
        ["1m"] = "10s",   // rate / latency window
        ["5m"] = "15s",   // restart window
        ["10m"] = "30s",  // flap window
        ["30m"] = "60s",  // "no decision" window of AutopilotUnhealthy
    };

    public static readonly IReadOnlyDictionary<string, string> ForDurations = new Dictionary<string, string>
    {
        ["1m"] = "3s",
        ["5m"] = "15s",
        ["10m"] = "30s",
    };

    public const string Header =
        "# GENERATED from rules.yaml by tests/Autopilot.Deployment.Tests/FastRules.cs: do not edit.\n" +
        "# The same rules with short windows, for Prometheus at a 1 s scrape and evaluation interval (tests, demo).\n";

    public static string FromProductionRules(string rulesYaml)
    {
        var ranged = RangeSelector().Replace(rulesYaml, m =>
            "[" + Scale(Ranges, m.Groups["range"].Value, "range") +
            (m.Groups["step"].Success ? ":" + Scale(Ranges, m.Groups["step"].Value, "subquery step") : "") + "]");
        var scaled = ForLine().Replace(ranged, m => m.Groups["prefix"].Value + Scale(ForDurations, m.Groups["for"].Value, "for"));
        return Header + scaled;
    }

    private static string Scale(IReadOnlyDictionary<string, string> table, string duration, string what) =>
        table.TryGetValue(duration, out var fast)
            ? fast
            : throw new InvalidDataException(
                $"rules.yaml uses the {what} duration '{duration}', which FastRules has no short equivalent for; " +
                $"add it to FastRules ({string.Join(", ", table.Keys)}) and to the stand-alone evaluator's Fast settings.");

    [GeneratedRegex(@"\[(?<range>\d+[smhdwy])(?::(?<step>\d+[smhdwy]))?\]")]
    private static partial Regex RangeSelector();

    [GeneratedRegex(@"^(?<prefix>\s+for:\s*)(?<for>\S+)[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex ForLine();
}
