using System.Globalization;
using System.Text.RegularExpressions;

namespace Autopilot.Remediation.Alerts;

/// <summary>Strict RFC 3339 parsing. Go (Prometheus, Alertmanager) writes up to nine fractional digits,
/// which DateTimeOffset's own parsers do not accept, and a lenient parser would take "12/11/2026".</summary>
public static partial class Rfc3339Time
{
    [GeneratedRegex(@"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool TryParse(string text, out DateTimeOffset value)
    {
        value = default;
        if (text.Length > 40) return false;
        var match = Pattern().Match(text);
        if (!match.Success) return false;

        int Part(int group) => int.Parse(match.Groups[group].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
        var (year, month, day, hour, minute, second) = (Part(1), Part(2), Part(3), Part(4), Part(5), Part(6));
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), month)) return false;
        if (year < 1 || hour > 23 || minute > 59 || second > 60) return false;
        second = Math.Min(second, 59); // a leap second is folded into the second before it

        var offset = TimeSpan.Zero;
        if (!match.Groups[8].Success)
        {
            var (offsetHours, offsetMinutes) = (Part(10), Part(11));
            if (offsetHours > 23 || offsetMinutes > 59) return false;
            offset = new TimeSpan(offsetHours, offsetMinutes, 0);
            if (match.Groups[9].Value == "-") offset = -offset;
        }

        long ticks = 0;
        if (match.Groups[7].Success)
        {
            var digits = match.Groups[7].Value.PadRight(9, '0');
            ticks = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture) / 100; // 100 ns per tick
        }

        try
        {
            value = new DateTimeOffset(year, month, day, hour, minute, second, offset).AddTicks(ticks);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }
}
