using System.Globalization;
using System.Text;

namespace Autopilot.Remediation.Tests.Proposals;

/// <summary>
/// An independent reading of llama.cpp's GBNF: parses a grammar the way llama-grammar.cpp does (rules
/// "name ::= ...", names of letters, digits and '-', literals, character classes with ranges and negation,
/// '.', groups, alternation, ?, *, +, {m}, {m,}, {m,n}, # comments, the escapes parse_char accepts) and tells
/// whether a string is in the language of <c>root</c>. It can also sample strings from the grammar. Written
/// for tests, from the GBNF spec, sharing no code with the generator it checks.
/// </summary>
public sealed class GbnfRecognizer
{
    private abstract record Node;
    private sealed record Literal(int[] CodePoints) : Node;
    private sealed record CharClass(bool Negated, (int Lo, int Hi)[] Ranges) : Node
    {
        public bool Matches(int c)
        {
            foreach (var (lo, hi) in Ranges)
            {
                if (c >= lo && c <= hi) return !Negated;
            }
            return Negated;
        }
    }
    private sealed record AnyChar : Node;
    private sealed record RuleRef(string Name) : Node;
    private sealed record Sequence(Node[] Items) : Node;
    private sealed record Alternatives(Node[] Options) : Node;
    private sealed record Repeat(Node Item, int Min, int? Max) : Node;

    // Printable ASCII, a few multi-byte code points, and characters a JSON string must escape.
    private static readonly int[] SamplePool = [.. Enumerable.Range(0x20, 0x5F), 0xE9, 0x65E5, 0x1F600, 0x0A, 0x22, 0x5C];

    private readonly Dictionary<string, Node> _rules = new(StringComparer.Ordinal);
    private readonly Dictionary<CharClass, int[]> _samplePools = new(ReferenceEqualityComparer.Instance);
    private readonly string _text;
    private int _pos;

    public GbnfRecognizer(string grammar)
    {
        _text = grammar;
        SkipSpace(newlines: true);
        while (_pos < _text.Length)
        {
            var name = Name();
            SkipSpace(newlines: false);
            Expect("::=");
            SkipSpace(newlines: true);
            var body = ParseAlternatives(nested: false);
            if (!_rules.TryAdd(name, body)) throw new FormatException($"rule '{name}' defined twice");
            SkipSpace(newlines: true);
        }
        if (!_rules.ContainsKey("root")) throw new FormatException("grammar has no root rule");
        foreach (var reference in _rules.Values.SelectMany(Refs))
        {
            if (!_rules.ContainsKey(reference)) throw new FormatException($"undefined rule '{reference}'");
        }
    }

    public IReadOnlyCollection<string> RuleNames => _rules.Keys;

    /// <summary>True when the whole of <paramref name="input"/> is derivable from root.</summary>
    public bool Accepts(string input)
    {
        var codePoints = input.EnumerateRunes().Select(r => r.Value).ToArray();
        var memo = new Dictionary<(string, int), HashSet<int>>();
        return Match(new RuleRef("root"), codePoints, 0, memo).Contains(codePoints.Length);
    }

    /// <summary>A random string of the language; repetitions without a maximum stop after a few items.</summary>
    public string Sample(Random random)
    {
        var sb = new StringBuilder();
        Generate(new RuleRef("root"), random, sb, 0);
        return sb.ToString();
    }

    private HashSet<int> Match(Node node, int[] input, int pos, Dictionary<(string, int), HashSet<int>> memo)
    {
        switch (node)
        {
            case Literal literal:
                if (pos + literal.CodePoints.Length > input.Length) return [];
                for (var i = 0; i < literal.CodePoints.Length; i++)
                {
                    if (input[pos + i] != literal.CodePoints[i]) return [];
                }
                return [pos + literal.CodePoints.Length];
            case CharClass cls:
                return pos < input.Length && cls.Matches(input[pos]) ? [pos + 1] : [];
            case AnyChar:
                return pos < input.Length ? [pos + 1] : [];
            case RuleRef reference:
                if (memo.TryGetValue((reference.Name, pos), out var known)) return known;
                memo[(reference.Name, pos)] = []; // left recursion would find nothing, as llama.cpp refuses it anyway
                var result = Match(_rules[reference.Name], input, pos, memo);
                memo[(reference.Name, pos)] = result;
                return result;
            case Sequence sequence:
                var current = new HashSet<int> { pos };
                foreach (var item in sequence.Items)
                {
                    current = current.SelectMany(p => Match(item, input, p, memo)).ToHashSet();
                    if (current.Count == 0) break;
                }
                return current;
            case Alternatives alternatives:
                return alternatives.Options.SelectMany(o => Match(o, input, pos, memo)).ToHashSet();
            case Repeat repeat:
                var ends = new HashSet<int>();
                var frontier = new HashSet<int> { pos };
                for (var count = 0; ; count++)
                {
                    if (count >= repeat.Min) ends.UnionWith(frontier);
                    if (repeat.Max is { } max && count == max) break;
                    var next = frontier.SelectMany(p => Match(repeat.Item, input, p, memo)).ToHashSet();
                    // Once the minimum is met, a position reached before needs no second expansion.
                    if (count >= repeat.Min) next.ExceptWith(ends);
                    if (next.Count == 0) break;
                    frontier = next;
                }
                return ends;
            default:
                throw new InvalidOperationException(node.ToString());
        }
    }

    private void Generate(Node node, Random random, StringBuilder sb, int depth)
    {
        if (depth > 200) throw new InvalidOperationException("grammar recursion too deep to sample");
        switch (node)
        {
            case Literal literal:
                foreach (var c in literal.CodePoints) sb.Append(char.ConvertFromUtf32(c));
                break;
            case CharClass cls:
                if (!_samplePools.TryGetValue(cls, out var candidates))
                {
                    candidates = SamplePool.Where(cls.Matches).ToArray();
                    if (candidates.Length == 0) candidates = cls.Ranges.Select(r => r.Lo).Where(cls.Matches).ToArray();
                    _samplePools[cls] = candidates;
                }
                sb.Append(char.ConvertFromUtf32(candidates[random.Next(candidates.Length)]));
                break;
            case AnyChar:
                sb.Append((char)random.Next(0x20, 0x7F));
                break;
            case RuleRef reference:
                Generate(_rules[reference.Name], random, sb, depth + 1);
                break;
            case Sequence sequence:
                foreach (var item in sequence.Items) Generate(item, random, sb, depth + 1);
                break;
            case Alternatives alternatives:
                Generate(alternatives.Options[random.Next(alternatives.Options.Length)], random, sb, depth + 1);
                break;
            case Repeat repeat:
                var count = random.Next(repeat.Min, (repeat.Max ?? repeat.Min + 3) + 1);
                for (var i = 0; i < count; i++) Generate(repeat.Item, random, sb, depth + 1);
                break;
        }
    }

    private static IEnumerable<string> Refs(Node node) => node switch
    {
        RuleRef r => [r.Name],
        Sequence s => s.Items.SelectMany(Refs),
        Alternatives a => a.Options.SelectMany(Refs),
        Repeat r => Refs(r.Item),
        _ => [],
    };

    // ---- parser (mirrors llama-grammar.cpp's parse_alternates / parse_sequence) ----

    private Node ParseAlternatives(bool nested)
    {
        var options = new List<Node> { ParseSequence(nested) };
        while (Peek() == '|')
        {
            _pos++;
            SkipSpace(newlines: true);
            options.Add(ParseSequence(nested));
        }
        return options.Count == 1 ? options[0] : new Alternatives(options.ToArray());
    }

    private Node ParseSequence(bool nested)
    {
        var items = new List<Node>();
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            Node item;
            if (c == '"')
            {
                _pos++;
                var cps = new List<int>();
                while (Peek() != '"')
                {
                    if (_pos >= _text.Length) throw new FormatException("unterminated literal");
                    cps.Add(Char());
                }
                _pos++;
                item = new Literal(cps.ToArray());
            }
            else if (c == '[')
            {
                _pos++;
                var negated = Peek() == '^';
                if (negated) _pos++;
                var ranges = new List<(int, int)>();
                while (Peek() != ']')
                {
                    if (_pos >= _text.Length) throw new FormatException("unterminated character class");
                    var lo = Char();
                    var hi = lo;
                    if (Peek() == '-' && _pos + 1 < _text.Length && _text[_pos + 1] != ']')
                    {
                        _pos++;
                        hi = Char();
                    }
                    ranges.Add((lo, hi));
                }
                _pos++;
                item = new CharClass(negated, ranges.ToArray());
            }
            else if (c == '.')
            {
                _pos++;
                item = new AnyChar();
            }
            else if (c == '(')
            {
                _pos++;
                SkipSpace(newlines: true);
                item = ParseAlternatives(nested: true);
                if (Peek() != ')') throw new FormatException($"expected ')' at {_pos}");
                _pos++;
            }
            else if (IsNameChar(c))
            {
                item = new RuleRef(Name());
            }
            else break;

            SkipSpace(nested);
            while (Peek() is '?' or '*' or '+' or '{')
            {
                var op = _text[_pos++];
                item = op switch
                {
                    '?' => new Repeat(item, 0, 1),
                    '*' => new Repeat(item, 0, null),
                    '+' => new Repeat(item, 1, null),
                    _ => ParseBraces(item),
                };
                SkipSpace(nested);
            }
            items.Add(item);
        }
        if (items.Count == 0 && Peek() is not ('|' or ')' or '\n' or '\0')) throw new FormatException($"unexpected '{Peek()}' at {_pos}");
        return items.Count == 1 ? items[0] : new Sequence(items.ToArray());
    }

    private Repeat ParseBraces(Node item)
    {
        var min = Number();
        int? max = min;
        if (Peek() == ',')
        {
            _pos++;
            max = char.IsAsciiDigit(Peek()) ? Number() : null;
        }
        if (Peek() != '}') throw new FormatException($"expected '}}' at {_pos}");
        _pos++;
        return new Repeat(item, min, max);
    }

    private int Number()
    {
        var start = _pos;
        while (char.IsAsciiDigit(Peek())) _pos++;
        if (start == _pos) throw new FormatException($"expected a number at {_pos}");
        return int.Parse(_text[start.._pos], CultureInfo.InvariantCulture);
    }

    private int Char()
    {
        var c = _text[_pos++];
        if (c != '\\')
        {
            if (char.IsHighSurrogate(c)) return char.ConvertToUtf32(c, _text[_pos++]);
            return c;
        }
        var e = _text[_pos++];
        return e switch
        {
            'x' => Hex(2),
            'u' => Hex(4),
            'U' => Hex(8),
            't' => '\t',
            'r' => '\r',
            'n' => '\n',
            '\\' or '"' or '[' or ']' or '-' => e,
            _ => throw new FormatException($"unknown escape '\\{e}' at {_pos}"),
        };
    }

    private int Hex(int digits)
    {
        var value = int.Parse(_text.AsSpan(_pos, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        _pos += digits;
        return value;
    }

    private string Name()
    {
        var start = _pos;
        while (_pos < _text.Length && IsNameChar(_text[_pos])) _pos++;
        if (start == _pos) throw new FormatException($"expected a rule name at {_pos}: '{_text[_pos..Math.Min(_text.Length, _pos + 20)]}'");
        return _text[start.._pos];
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '-';

    private void Expect(string token)
    {
        if (string.CompareOrdinal(_text, _pos, token, 0, token.Length) != 0) throw new FormatException($"expected '{token}' at {_pos}");
        _pos += token.Length;
    }

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private void SkipSpace(bool newlines)
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c == '#')
            {
                while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
            }
            else if (c is ' ' or '\t' || (newlines && c is '\r' or '\n')) _pos++;
            else break;
        }
    }
}
