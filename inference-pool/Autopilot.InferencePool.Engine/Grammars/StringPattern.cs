using System.Text;
using Autopilot.InferencePool.Client;

namespace Autopilot.InferencePool.Engine.Grammars;

/// <summary>
/// Translates the JSON-schema string patterns a grammar can enforce exactly: "^" then a sequence of character classes
/// ([...]) or plain printable characters, each optionally followed by *, +, ? or {m,n}, then "$". Classes may only
/// admit printable ASCII other than '"' and '\', so the generated text needs no JSON escaping. minLength/maxLength
/// are folded into the one unbounded part (or checked against the fixed length).
/// </summary>
public static class StringPattern
{
    private sealed record Part(string Gbnf, int Min, int? Max);

    public static string ToGbnf(string pattern, int minLength, int? maxLength, string path)
    {
        if (!pattern.StartsWith('^') || !pattern.EndsWith('$') || pattern.Length < 2)
            throw Refused(path, "only patterns anchored with ^ and $ are supported");
        var parts = new List<Part>();
        var i = 1;
        while (i < pattern.Length - 1)
        {
            string atom;
            if (pattern[i] == '[')
            {
                var close = ClassEnd(pattern, i, path);
                atom = Class(pattern[i..(close + 1)], path);
                i = close + 1;
            }
            else
            {
                var c = pattern[i];
                if (c == '\\' && i + 1 < pattern.Length - 1 && !char.IsAsciiLetterOrDigit(pattern[i + 1])) c = pattern[++i];
                else if ("\\.()|*+?{}".Contains(c)) throw Refused(path, $"'{c}' at {i} is beyond the character-class subset a grammar enforces");
                if (c is < ' ' or > '~' or '"' or '\\') throw Refused(path, $"'{c}' would need JSON escaping");
                atom = "\"" + c + "\"";
                i++;
            }
            var (min, max) = Quantifier(pattern, ref i, path);
            parts.Add(new Part(atom, min, max));
        }

        var unbounded = parts.Where(p => p.Max is null).ToList();
        var fixedMin = parts.Sum(p => p.Min);
        if (unbounded.Count > 1 && (minLength > fixedMin || maxLength is not null))
            throw Refused(path, "length bounds can be combined with at most one unbounded part (* or +)");
        var gbnf = new StringBuilder();
        foreach (var part in parts)
        {
            var (min, max) = (part.Min, part.Max);
            if (part.Max is null && unbounded.Count == 1)
            {
                var others = parts.Where(p => p != part).ToList();
                min = Math.Max(part.Min, minLength - others.Sum(p => p.Max ?? 0));
                max = maxLength is { } m ? m - others.Sum(p => p.Min) : null;
                if (max < min) throw Refused(path, "minLength/maxLength leave no room for the pattern");
            }
            gbnf.Append(part.Gbnf).Append(Repeat(min, max)).Append(' ');
        }
        if (unbounded.Count == 0)
        {
            var longest = parts.Sum(p => p.Max ?? 0);
            if (fixedMin < minLength || (maxLength is { } m && longest > m))
                throw Refused(path, "the pattern's lengths do not fit minLength/maxLength");
        }
        return gbnf.ToString().TrimEnd();
    }

    private static string Repeat(int min, int? max) => (min, max) switch
    {
        (1, 1) => "",
        (0, 1) => "?",
        (0, null) => "*",
        (1, null) => "+",
        (_, null) => $"{{{min},}}",
        _ when min == max => $"{{{min}}}",
        _ => $"{{{min},{max}}}",
    };

    private static (int Min, int? Max) Quantifier(string pattern, ref int i, string path)
    {
        if (i >= pattern.Length - 1) return (1, 1);
        switch (pattern[i])
        {
            case '*': i++; return (0, null);
            case '+': i++; return (1, null);
            case '?': i++; return (0, 1);
            case '{':
                var close = pattern.IndexOf('}', i);
                if (close < 0) throw Refused(path, "unclosed {");
                var bounds = pattern[(i + 1)..close].Split(',');
                i = close + 1;
                if (!int.TryParse(bounds[0], out var min)) throw Refused(path, "bad {m,n}");
                if (bounds.Length == 1) return (min, min);
                if (bounds[1].Length == 0) return (min, null);
                return int.TryParse(bounds[1], out var max) && max >= min ? (min, max) : throw Refused(path, "bad {m,n}");
            default: return (1, 1);
        }
    }

    private static int ClassEnd(string pattern, int open, string path)
    {
        for (var i = open + 1; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\') i++;
            else if (pattern[i] == ']' && i > open + 1) return i;
        }
        throw Refused(path, "unclosed [");
    }

    /// <summary>The class as GBNF, after checking every character it admits is printable ASCII needing no escape.</summary>
    private static string Class(string text, string path)
    {
        var body = text[1..^1];
        if (body.StartsWith('^')) throw Refused(path, "negated classes may admit characters that need JSON escaping; list what is allowed");
        var chars = new List<char>();
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '\\')
            {
                if (i + 1 >= body.Length) throw Refused(path, "dangling \\ in a class");
                c = body[++i];
                if (char.IsAsciiLetterOrDigit(c)) throw Refused(path, $"\\{c} in a class is beyond what a grammar enforces");
            }
            chars.Add(c);
        }
        var admitted = new HashSet<char>();
        for (var i = 0; i < chars.Count; i++)
        {
            if (i + 2 < chars.Count && chars[i + 1] == '-' && !IsEscapedDash(body, chars, i + 1))
            {
                for (var c = chars[i]; c <= chars[i + 2]; c++) admitted.Add(c);
                i += 2;
            }
            else admitted.Add(chars[i]);
        }
        if (admitted.Any(c => c is < ' ' or > '~' or '"' or '\\'))
            throw Refused(path, "the class admits characters that need JSON escaping (quote, backslash, control or non-ASCII)");
        return Gbnf(admitted);
    }

    /// <summary>The admitted characters as a GBNF class of merged ranges, with every special character hex-escaped.</summary>
    private static string Gbnf(HashSet<char> admitted)
    {
        var sorted = admitted.Order().ToList();
        var gbnf = new StringBuilder("[");
        for (var i = 0; i < sorted.Count; i++)
        {
            var start = sorted[i];
            while (i + 1 < sorted.Count && sorted[i + 1] == sorted[i] + 1) i++;
            gbnf.Append(Escape(start));
            if (sorted[i] != start) gbnf.Append('-').Append(Escape(sorted[i]));
        }
        return gbnf.Append(']').ToString();

        static string Escape(char c) => char.IsAsciiLetterOrDigit(c) || c == ' ' ? c.ToString() : $"\\x{(int)c:X2}";
    }

    // A "-" written as "\-" is a literal, not a range.
    private static bool IsEscapedDash(string body, List<char> chars, int index)
    {
        var seen = -1;
        for (var i = 0; i < body.Length; i++)
        {
            var escaped = body[i] == '\\';
            if (escaped) i++;
            if (++seen == index) return escaped;
        }
        return false;
    }

    private static PoolRequestException Refused(string path, string message) => new("jsonSchema", $"{path}: {message}");
}
