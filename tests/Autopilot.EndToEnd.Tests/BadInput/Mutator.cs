using System.Text;

namespace Autopilot.EndToEnd.Tests.BadInput;

/// <summary>Deterministic mutations of a valid body (same seed, same bodies): byte flips, truncation, duplication,
/// nesting, type swaps, inserted unicode (zero-width, homoglyphs, bidi, control, invalid UTF-8), repeated keys.</summary>
internal static class Mutator
{
    private static readonly string[] Unicode = ["\u200b", "\u0441", "\u202e", "\u0001", "\u0000", "é", "😀", "\\ud800", "\\u0000", "../", "%2e%2e/"];
    private static readonly string[] Values = ["1", "-1", "1e400", "true", "null", "[]", "{}", "\"\"", "\"x\"", "NaN", "\"9999-12-31T23:59:59Z\""];

    public static byte[] Mutate(byte[] seed, Random random)
    {
        var body = seed;
        var rounds = 1 + random.Next(3);
        for (var i = 0; i < rounds; i++) body = Once(body, random);
        return body;
    }

    private static byte[] Once(byte[] body, Random random)
    {
        if (body.Length == 0) return body;
        var at = random.Next(body.Length);
        switch (random.Next(9))
        {
            case 0: // byte flip
            {
                var copy = (byte[])body.Clone();
                copy[at] ^= (byte)(1 << random.Next(8));
                return copy;
            }
            case 1: // truncation
                return body[..at];
            case 2: // duplication of a slice
            {
                var length = random.Next(Math.Min(64, body.Length - at) + 1);
                return [.. body[..(at + length)], .. body[at..]];
            }
            case 3: // nesting: wrap the value at a colon in arrays or objects
            {
                var text = Encoding.UTF8.GetString(body);
                var colon = text.IndexOf(':', at % text.Length);
                if (colon < 0) return body;
                var depth = 1 + random.Next(40);
                var open = random.Next(2) == 0 ? string.Concat(Enumerable.Repeat("[", depth)) : string.Concat(Enumerable.Repeat("{\"a\":", depth));
                var close = open[0] == '[' ? new string(']', depth) : new string('}', depth);
                var end = text.IndexOfAny([',', '}'], colon + 1);
                if (end < 0) return body;
                return Encoding.UTF8.GetBytes(text[..(colon + 1)] + open + text[(colon + 1)..end] + close + text[end..]);
            }
            case 4: // type swap: replace a string value with another JSON type
            {
                var text = Encoding.UTF8.GetString(body);
                var colon = text.IndexOf(":\"", at % text.Length, StringComparison.Ordinal);
                if (colon < 0) return body;
                var end = text.IndexOf('"', colon + 2);
                if (end < 0) return body;
                return Encoding.UTF8.GetBytes(text[..(colon + 1)] + Values[random.Next(Values.Length)] + text[(end + 1)..]);
            }
            case 5: // unicode inside a string
            {
                var text = Encoding.UTF8.GetString(body);
                var quote = text.IndexOf('"', at % text.Length);
                if (quote < 0) return body;
                return Encoding.UTF8.GetBytes(text[..(quote + 1)] + Unicode[random.Next(Unicode.Length)] + text[(quote + 1)..]);
            }
            case 6: // invalid UTF-8
            {
                byte[][] bad = [[0xC3, 0x28], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFF]];
                return [.. body[..at], .. bad[random.Next(bad.Length)], .. body[at..]];
            }
            case 7: // repeated key: copy a "key":value pair in front of itself
            {
                var text = Encoding.UTF8.GetString(body);
                var start = text.IndexOf(",\"", at % text.Length, StringComparison.Ordinal);
                if (start < 0) return body;
                var colon = text.IndexOf(':', start);
                if (colon < 0) return body;
                var end = text.IndexOfAny([',', '}'], colon + 1);
                if (end < 0) return body;
                return Encoding.UTF8.GetBytes(text[..end] + text[start..end] + text[end..]);
            }
            default: // a workload or namespace value swapped for an invalid one
            {
                var text = Encoding.UTF8.GetString(body);
                string[] names = ["../../etc", "Checkout", "check out", new string('a', 254), "shop/checkout", "-x", "x-", ""];
                var target = random.Next(2) == 0 ? "\"workload\":\"checkout\"" : "\"namespace\":\"shop\"";
                var key = target[..(target.IndexOf(':') + 1)];
                return text.Contains(target) ? Encoding.UTF8.GetBytes(text.Replace(target, key + JsonQuote(names[random.Next(names.Length)]))) : body;
            }
        }
    }

    private static string JsonQuote(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
