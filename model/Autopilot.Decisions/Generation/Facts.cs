using System.Globalization;

namespace Autopilot.Decisions.Generation;

/// <summary>Numbers written the way the fact sheet and alert annotations write them.</summary>
internal static class Facts
{
    public static string Number(double value) => value.ToString("0", CultureInfo.InvariantCulture);
}
