using System.Globalization;

namespace Autopilot.Decisions.Generation;

/// <summary>Numbers written the way the fact sheet writes them, so a reason can quote them verbatim.</summary>
internal static class Facts
{
    public static string Percent(double ratio) => (ratio * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    public static string Millis(double ms) => Math.Round(ms).ToString("0", CultureInfo.InvariantCulture) + "ms";

    public static string Number(double value) => value.ToString("0", CultureInfo.InvariantCulture);
}
