using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Autopilot.Remediation.Policies;

/// <summary>Durations in policy files: whole units d, h, m, s in that order, e.g. "1h", "90m", "1h30m", "2d".</summary>
public static partial class PolicyDuration
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text)) return false;
        var match = Pattern().Match(text);
        if (!match.Success) return false;
        long seconds = 0;
        foreach (var (group, unit) in new[] { ("d", 86_400L), ("h", 3_600L), ("m", 60L), ("s", 1L) })
        {
            var value = match.Groups[group];
            if (!value.Success) continue;
            if (!long.TryParse(value.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 1_000_000) return false;
            seconds += n * unit;
        }
        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }

    public static string Format(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero) return "0s";
        var sb = new StringBuilder();
        if (duration.Days > 0) sb.Append(duration.Days).Append('d');
        if (duration.Hours > 0) sb.Append(duration.Hours).Append('h');
        if (duration.Minutes > 0) sb.Append(duration.Minutes).Append('m');
        if (duration.Seconds > 0) sb.Append(duration.Seconds).Append('s');
        return sb.ToString();
    }

    [GeneratedRegex(@"^(?:(?<d>\d+)d)?(?:(?<h>\d+)h)?(?:(?<m>\d+)m)?(?:(?<s>\d+)s)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
