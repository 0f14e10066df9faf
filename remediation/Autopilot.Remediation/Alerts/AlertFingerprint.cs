using System.Globalization;
using System.Text;

namespace Autopilot.Remediation.Alerts;

/// <summary>Alertmanager's fingerprint of a label set (FNV-1a 64 over sorted name/value pairs, each
/// followed by 0xFF, printed as 16 hex digits), so alerts that arrive without one (single-alert events)
/// dedup against the same alert delivered by Alertmanager.</summary>
public static class AlertFingerprint
{
    private const ulong Offset64 = 14695981039346656037;
    private const ulong Prime64 = 1099511628211;
    private const byte Separator = 0xFF;

    public static string Of(IReadOnlyDictionary<string, string> labels)
    {
        var hash = Offset64;
        foreach (var name in labels.Keys.OrderBy(k => k, StringComparer.Ordinal))
        {
            hash = Add(hash, name);
            hash = AddByte(hash, Separator);
            hash = Add(hash, labels[name]);
            hash = AddByte(hash, Separator);
        }
        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    private static ulong Add(ulong hash, string text)
    {
        foreach (var b in Encoding.UTF8.GetBytes(text)) hash = AddByte(hash, b);
        return hash;
    }

    private static ulong AddByte(ulong hash, byte b) => (hash ^ b) * Prime64;
}
