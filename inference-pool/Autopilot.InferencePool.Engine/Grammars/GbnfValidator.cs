namespace Autopilot.InferencePool.Engine.Grammars;

/// <summary>
/// Checks GBNF text the way llama.cpp's grammar parser does before it reaches native code: syntax, undefined rules,
/// a missing "root" rule, and left recursion. llama.cpp answers a bad grammar with a null sampler, which crashes the
/// process on first use, so every grammar is checked here first.
/// </summary>
public static class GbnfValidator
{
    private abstract record Element(int Min, int Max);
    private sealed record Literal(bool Empty, int Min = 1, int Max = 1) : Element(Min, Max);
    private sealed record CharClass(int Min = 1, int Max = 1) : Element(Min, Max);
    private sealed record RuleRef(string Name, int Min = 1, int Max = 1) : Element(Min, Max);
    private sealed record Group(List<List<Element>> Alternatives, int Min = 1, int Max = 1) : Element(Min, Max);

    /// <summary>Null when the grammar is acceptable, else what is wrong.</summary>
    public static string? Check(string gbnf, string root = "root")
    {
        try
        {
            var rules = new Parser(gbnf).ParseRules();
            if (!rules.ContainsKey(root)) return $"there is no rule named '{root}'.";
            foreach (var (name, alternatives) in rules)
                foreach (var reference in References(alternatives))
                    if (!rules.ContainsKey(reference)) return $"rule '{name}' refers to undefined rule '{reference}'.";
            foreach (var name in rules.Keys)
                if (LeftRecursive(name, rules)) return $"rule '{name}' is left-recursive, which llama.cpp does not accept.";
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    private static IEnumerable<string> References(List<List<Element>> alternatives) =>
        alternatives.SelectMany(s => s).SelectMany(e => e switch
        {
            RuleRef r => [r.Name],
            Group g => References(g.Alternatives),
            _ => [],
        });

    private static bool LeftRecursive(string start, Dictionary<string, List<List<Element>>> rules)
    {
        var nullable = new Dictionary<string, bool>();
        bool Nullable(Element e, HashSet<string> visiting) => e.Min == 0 || e switch
        {
            Literal l => l.Empty,
            CharClass => false,
            RuleRef r => RuleNullable(r.Name, visiting),
            Group g => g.Alternatives.Any(s => s.All(x => Nullable(x, visiting))),
            _ => false,
        };
        bool RuleNullable(string name, HashSet<string> visiting)
        {
            if (nullable.TryGetValue(name, out var known)) return known;
            if (!visiting.Add(name)) return false;
            var result = rules[name].Any(s => s.All(x => Nullable(x, visiting)));
            visiting.Remove(name);
            return nullable[name] = result;
        }

        var seen = new HashSet<string>();
        var stack = new Stack<string>();
        stack.Push(start);
        while (stack.Count > 0)
        {
            var rule = stack.Pop();
            foreach (var first in FirstRefs(rules[rule]))
            {
                if (first == start) return true;
                if (seen.Add(first)) stack.Push(first);
            }
        }
        return false;

        IEnumerable<string> FirstRefs(List<List<Element>> alternatives)
        {
            foreach (var sequence in alternatives)
                foreach (var element in sequence)
                {
                    if (element is RuleRef r) yield return r.Name;
                    if (element is Group g) foreach (var n in FirstRefs(g.Alternatives)) yield return n;
                    if (!Nullable(element, [])) break;
                }
        }
    }

    private sealed class Parser(string text)
    {
        private int _pos;

        public Dictionary<string, List<List<Element>>> ParseRules()
        {
            var rules = new Dictionary<string, List<List<Element>>>(StringComparer.Ordinal);
            SkipSpace(newlines: true);
            while (_pos < text.Length)
            {
                var name = Name();
                SkipSpace(newlines: false);
                if (!text.AsSpan(_pos).StartsWith("::=")) throw Error("expected '::='");
                _pos += 3;
                SkipSpace(newlines: true);
                if (rules.ContainsKey(name)) throw Error($"rule '{name}' is defined twice");
                rules[name] = Alternatives(nested: false);
                SkipSpace(newlines: true);
            }
            return rules;
        }

        private List<List<Element>> Alternatives(bool nested)
        {
            var alternatives = new List<List<Element>> { Sequence(nested) };
            while (_pos < text.Length && text[_pos] == '|')
            {
                _pos++;
                SkipSpace(newlines: true);
                alternatives.Add(Sequence(nested));
            }
            return alternatives;
        }

        private List<Element> Sequence(bool nested)
        {
            var sequence = new List<Element>();
            while (_pos < text.Length)
            {
                var c = text[_pos];
                Element element;
                if (c == '"') element = new Literal(ReadQuoted());
                else if (c == '[') { ReadClass(); element = new CharClass(); }
                else if (c == '(')
                {
                    _pos++;
                    SkipSpace(newlines: true);
                    var inner = Alternatives(nested: true);
                    if (_pos >= text.Length || text[_pos] != ')') throw Error("expected ')'");
                    _pos++;
                    element = new Group(inner);
                }
                else if (c == '.') { _pos++; element = new CharClass(); }
                else if (IsNameChar(c))
                {
                    var start = _pos;
                    var name = Name();
                    SkipSpace(newlines: false);
                    // "name ::=" starts the next rule: this sequence ended at the previous newline.
                    if (!nested && text.AsSpan(_pos).StartsWith("::=")) { _pos = start; return sequence; }
                    _pos = start;
                    element = new RuleRef(Name());
                }
                else break;

                SkipSpace(newlines: nested);
                element = Repetition(element);
                sequence.Add(element);
                SkipSpace(newlines: nested);
            }
            return sequence;
        }

        private Element Repetition(Element element)
        {
            if (_pos >= text.Length) return element;
            (int Min, int Max)? bounds = text[_pos] switch
            {
                '*' => (0, int.MaxValue),
                '+' => (1, int.MaxValue),
                '?' => (0, 1),
                _ => null,
            };
            if (bounds is null && text[_pos] == '{')
            {
                var close = text.IndexOf('}', _pos);
                if (close < 0) throw Error("expected '}'");
                var parts = text[(_pos + 1)..close].Split(',');
                if (parts.Length is < 1 or > 2 || !int.TryParse(parts[0].Trim(), out var min))
                    throw Error("bad repetition bounds");
                var max = parts.Length == 1 ? min
                    : parts[1].Trim().Length == 0 ? int.MaxValue
                    : int.TryParse(parts[1].Trim(), out var m) && m >= min ? m : throw Error("bad repetition bounds");
                _pos = close;
                bounds = (min, max);
            }
            if (bounds is not { } b) return element;
            _pos++;
            SkipSpace(newlines: false);
            var min2 = element.Min * b.Min;
            return element switch
            {
                Literal l => l with { Min = min2 },
                CharClass cc => cc with { Min = min2 },
                RuleRef r => r with { Min = min2 },
                Group g => g with { Min = min2 },
                _ => element,
            };
        }

        private bool ReadQuoted()
        {
            _pos++;
            var empty = true;
            while (_pos < text.Length && text[_pos] != '"')
            {
                if (text[_pos] == '\\') Escape();
                else _pos++;
                empty = false;
            }
            if (_pos >= text.Length) throw Error("unterminated string literal");
            _pos++;
            return empty;
        }

        private void ReadClass()
        {
            _pos++;
            while (_pos < text.Length && text[_pos] != ']')
            {
                if (text[_pos] == '\\') Escape();
                else _pos++;
            }
            if (_pos >= text.Length) throw Error("unterminated character class");
            _pos++;
        }

        /// <summary>The escapes llama.cpp knows; any other makes it refuse the grammar.</summary>
        private void Escape()
        {
            if (_pos + 1 >= text.Length) throw Error("dangling \\");
            var hexDigits = text[_pos + 1] switch { 'x' => 2, 'u' => 4, 'U' => 8, _ => 0 };
            if (hexDigits > 0)
            {
                if (_pos + 2 + hexDigits > text.Length || !text.AsSpan(_pos + 2, hexDigits).ToString().All(char.IsAsciiHexDigit))
                    throw Error($"\\{text[_pos + 1]} needs {hexDigits} hex digits");
                _pos += 2 + hexDigits;
                return;
            }
            if (text[_pos + 1] is not ('t' or 'r' or 'n' or '\\' or '"' or '[' or ']'))
                throw Error($"unknown escape \\{text[_pos + 1]}");
            _pos += 2;
        }

        private string Name()
        {
            var start = _pos;
            while (_pos < text.Length && IsNameChar(text[_pos])) _pos++;
            if (_pos == start) throw Error("expected a rule name");
            return text[start.._pos];
        }

        private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

        private void SkipSpace(bool newlines)
        {
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (c == '#') { while (_pos < text.Length && text[_pos] != '\n') _pos++; }
                else if (c is ' ' or '\t' || (newlines && c is '\r' or '\n')) _pos++;
                else break;
            }
        }

        private FormatException Error(string message)
        {
            var line = text.Take(_pos).Count(c => c == '\n') + 1;
            return new FormatException($"{message} at line {line}, position {_pos}.");
        }
    }
}
