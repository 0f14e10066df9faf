using System.Text;

namespace Autopilot.InferencePool.Engine.Decoding;

/// <summary>
/// How much of the text a grammar forces may be appended without the model. Appended text is tokenized on its own, so
/// it must start and end where the model's own tokenization would split too: never inside a word (a learned piece may
/// span it) and never between a space and the word after it (many vocabularies join them, " err" is one token). The
/// model writes the rest of a forced word itself, still held to the grammar.
/// </summary>
public static class ForcedText
{
    /// <summary>The prefix of <paramref name="forced"/> that may be appended after <paramref name="written"/>; all of
    /// it when it is <paramref name="whole"/> (the answer ends with it), else up to the last safe boundary.</summary>
    public static string Appendable(StringBuilder written, string forced, bool whole)
    {
        if (forced.Length == 0) return "";
        var last = written.Length == 0 ? '\n' : written[^1];
        if (IsWord(forced[0]) && (IsWord(last) || last == ' ')) return "";
        if (whole) return forced;
        for (var end = forced.Length; end > 0; end--)
        {
            var before = forced[end - 1];
            // After punctuation, or at the end of a word that punctuation follows, the next piece starts fresh.
            if (before != ' ' && (!IsWord(before) || (end < forced.Length && forced[end] != ' ' && !IsWord(forced[end]))))
                return forced[..end];
        }
        return "";
    }

    private static bool IsWord(char c) => char.IsLetterOrDigit(c) || c == '_';
}
