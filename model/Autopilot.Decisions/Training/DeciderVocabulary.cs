using System.Text;

namespace Autopilot.Decisions.Training;

/// <summary>
/// The default model's SentencePiece-style vocabulary: control tokens, the 256 byte tokens (any text can be encoded),
/// printable ASCII, and pieces learned by byte-pair merges over the training prompts and answers. Digits are never
/// merged, so a number is written one digit per token and the model copies "40.5%" digit by digit from the facts;
/// the prompt's fixed wording merges into few tokens, which keeps the whole planning prompt compact. Word characters
/// never merge with spaces or punctuation, so a name is the same tokens wherever it stands (after a space in the facts,
/// after a quote in the answer): copying a backend name never seen in training is copying the same token sequence.
/// </summary>
public sealed class DeciderVocabulary
{
    public const string Unknown = "<unk>", Bos = "<s>", Eos = "</s>", ImStart = "<|im_start|>", ImEnd = "<|im_end|>";
    public const char Space = '\u2581';

    // GGUF token types (llama.cpp's llama_token_type).
    private const int Normal = 1, UnknownType = 2, Control = 3, ByteType = 6;

    private DeciderVocabulary(IReadOnlyList<(string Piece, float Score, int Type)> tokens) => Tokens = tokens;

    public IReadOnlyList<(string Piece, float Score, int Type)> Tokens { get; }

    public int IdOf(string piece) => Tokens.Select((t, i) => (t, i)).First(x => x.t.Piece == piece).i;

    /// <summary>Learns <paramref name="merges"/> merges from <paramref name="texts"/> (deterministic for the same input).</summary>
    public static DeciderVocabulary Learn(IReadOnlyList<string> texts, int merges)
    {
        var keywords = Keywords(texts);
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts.Concat(Enumerable.Repeat(RoleNames, 100)))
        {
            // Split like the tokenizer sees it: each space becomes '▁' and starts a new word.
            var escaped = text.Replace(' ', Space);
            var start = 0;
            for (var i = 1; i <= escaped.Length; i++)
            {
                if (i < escaped.Length && escaped[i] != Space && escaped[i] != '\n') continue;
                var word = escaped[start..i];
                if (word.Length > 0) words[word] = words.GetValueOrDefault(word) + 1;
                start = i;
            }
        }

        var symbols = words.Select(w => (Symbols: w.Key.Select(c => c.ToString()).ToList(), Count: w.Value)).ToList();
        var learned = new List<string>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        for (var m = 0; m < merges; m++)
        {
            var pairs = new Dictionary<(string, string), long>();
            foreach (var (syms, count) in symbols)
            {
                for (var i = 0; i + 1 < syms.Count; i++)
                {
                    if (!Mergeable(syms[i], syms[i + 1], keywords)) continue;
                    var key = (syms[i], syms[i + 1]);
                    pairs[key] = pairs.GetValueOrDefault(key) + count;
                }
            }
            if (pairs.Count == 0) break;
            var best = pairs.OrderByDescending(p => p.Value).ThenBy(p => p.Key.Item1 + "\u0001" + p.Key.Item2, StringComparer.Ordinal).First();
            if (best.Value < 4) break;
            var (a, b) = best.Key;
            var merged = a + b;
            if (known.Add(merged)) learned.Add(merged);
            foreach (var (syms, _) in symbols)
            {
                for (var i = 0; i + 1 < syms.Count; i++)
                {
                    if (syms[i] != a || syms[i + 1] != b) continue;
                    syms[i] = merged;
                    syms.RemoveAt(i + 1);
                }
            }
        }
        return Build(learned);
    }

    /// <summary>The chat template's role names, so they are single tokens too.</summary>
    private const string RoleNames = "system user assistant";

    /// <summary>Whole words that occur in at least 2 % of the texts: the prompt's own wording, never a workload's
    /// name (generated names are rare by construction). Only these may absorb the space before them.</summary>
    private static HashSet<string> Keywords(IReadOnlyList<string> texts)
    {
        var documents = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            foreach (var word in WordRuns(text).Distinct(StringComparer.Ordinal))
                documents[word] = documents.GetValueOrDefault(word) + 1;
        }
        var threshold = Math.Max(3, texts.Count / 50);
        return [.. documents.Where(d => d.Value >= threshold).Select(d => d.Key)];
    }

    private static IEnumerable<string> WordRuns(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var word = i < text.Length && IsWord(text[i]);
            if (word && start < 0) start = i;
            else if (!word && start >= 0)
            {
                yield return text[start..i];
                start = -1;
            }
        }
    }

    /// <summary>Digits and line breaks never merge; word characters merge only with word characters, except that a
    /// space may join a whole keyword that follows it.</summary>
    private static bool Mergeable(string left, string right, HashSet<string> keywords)
    {
        if (left.Any(char.IsAsciiDigit) || right.Any(char.IsAsciiDigit) || left == "\n" || right == "\n") return false;
        if (IsWord(left[^1]) == IsWord(right[0])) return true;
        return left == Space.ToString() && keywords.Contains(right);
    }

    /// <summary>Characters of names and words: letters, '-' and '_' (digits are never merged at all).</summary>
    private static bool IsWord(char c) => char.IsAsciiLetter(c) || c is '-' or '_';

    public static DeciderVocabulary Build(IReadOnlyList<string> merges)
    {
        var tokens = new List<(string, float, int)>
        {
            (Unknown, 0, UnknownType), (Bos, 0, Control), (Eos, 0, Control), (ImStart, 0, Control), (ImEnd, 0, Control),
        };
        for (var b = 0; b < 256; b++) tokens.Add(($"<0x{b:X2}>", 0, ByteType));
        var pieces = new HashSet<string>(StringComparer.Ordinal);
        // Single characters score below every merge so the tokenizer always prefers the longest learned piece.
        foreach (var c in Enumerable.Range(32, 95).Select(c => c == ' ' ? Space : (char)c))
        {
            if (pieces.Add(c.ToString())) tokens.Add((c.ToString(), -1_000_000f, Normal));
        }
        for (var i = 0; i < merges.Count; i++)
        {
            // A merge made of characters outside printable ASCII needs those characters as pieces first.
            foreach (var c in merges[i].Where(c => pieces.Add(c.ToString()))) tokens.Add((c.ToString(), -1_000_000f, Normal));
            if (pieces.Add(merges[i])) tokens.Add((merges[i], -(i + 1), Normal));
        }
        return new DeciderVocabulary(tokens);
    }

    public static string Describe(DeciderVocabulary vocabulary) =>
        new StringBuilder().Append(vocabulary.Tokens.Count).Append(" tokens, ")
            .Append(vocabulary.Tokens.Count(t => t.Score > -1_000_000f && t.Type == Normal)).Append(" learned pieces").ToString();
}
