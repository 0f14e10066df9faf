using System.Globalization;
using System.Text;

namespace Autopilot.Remediation.Proposals;

/// <summary>Pieces of llama.cpp GBNF text: quoted literals and bounded integer ranges.</summary>
internal static class GbnfText
{
    /// <summary>A GBNF string literal matching <paramref name="text"/> exactly.</summary>
    public static string Literal(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case < ' ' or '\x7f': sb.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>
    /// An expression matching exactly the decimal integers min..max (no sign, no leading zeros), built digit by
    /// digit so the model cannot start a number it is not allowed to finish.
    /// </summary>
    public static string IntegerRange(int min, int max)
    {
        if (min < 0 || max < min) throw new ArgumentOutOfRangeException(nameof(min), $"Range {min}..{max} is not a non-negative range.");
        var alternatives = new List<string>();
        for (var length = DigitCount(min); length <= DigitCount(max); length++)
        {
            var lo = length == 1 ? min : Math.Max(min, Pow10(length - 1));
            var hi = Math.Min(max, Pow10(length) - 1);
            alternatives.AddRange(SameLength(lo.ToString(CultureInfo.InvariantCulture), hi.ToString(CultureInfo.InvariantCulture)));
        }
        return alternatives.Count == 1 ? alternatives[0] : "(" + string.Join(" | ", alternatives) + ")";
    }

    // a <= b, both of the same length.
    private static IEnumerable<string> SameLength(string a, string b)
    {
        if (a == b)
        {
            yield return Literal(a);
            yield break;
        }
        var rest = a.Length - 1;
        if (a[0] == b[0])
        {
            foreach (var tail in SameLength(a[1..], b[1..])) yield return Literal(a[..1]) + " " + tail;
            yield break;
        }
        // Split into: a's first digit with a bounded tail, whole middle digits with any tail, b's first digit with
        // a bounded tail. An edge whose tail is unbounded (a..0 or b..9) joins the middle.
        var lowWhole = a[1..].All(c => c == '0');
        var highWhole = b[1..].All(c => c == '9');
        if (!lowWhole)
        {
            foreach (var tail in SameLength(a[1..], new string('9', rest))) yield return Literal(a[..1]) + " " + tail;
        }
        var middleFrom = lowWhole ? a[0] : (char)(a[0] + 1);
        var middleTo = highWhole ? b[0] : (char)(b[0] - 1);
        if (middleFrom <= middleTo) yield return DigitClass(middleFrom, middleTo) + AnyDigits(rest);
        if (!highWhole)
        {
            foreach (var tail in SameLength(new string('0', rest), b[1..])) yield return Literal(b[..1]) + " " + tail;
        }
    }

    private static string DigitClass(char from, char to) => from == to ? Literal(from.ToString()) : $"[{from}-{to}]";

    private static string AnyDigits(int count) => string.Concat(Enumerable.Repeat(" [0-9]", count));

    private static int DigitCount(int value) => value.ToString(CultureInfo.InvariantCulture).Length;

    private static int Pow10(int exponent)
    {
        var result = 1;
        for (var i = 0; i < exponent; i++) result *= 10;
        return result;
    }
}
