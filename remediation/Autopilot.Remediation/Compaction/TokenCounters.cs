using Microsoft.ML.Tokenizers;

namespace Autopilot.Remediation.Compaction;

/// <summary>Counts tokens the way the model will see them, so the fact sheet fits its budget.</summary>
public interface ITokenCounter
{
    int Count(string text);
}

/// <summary>
/// Fallback when no real tokenizer is available. Deliberately errs high: one token per digit (Llama-style
/// vocabularies split numbers into digits), per punctuation or symbol character and per newline, and one per
/// started group of three letters in a word, so a sheet it accepts fits cl100k and SentencePiece tokenizers too.
/// </summary>
public sealed class ApproximateTokenCounter : ITokenCounter
{
    public static ApproximateTokenCounter Instance { get; } = new();

    public int Count(string text)
    {
        var tokens = 0;
        var letters = 0;
        foreach (var c in text)
        {
            if (char.IsLetter(c))
            {
                letters++;
                continue;
            }
            tokens += (letters + 2) / 3;
            letters = 0;
            if (!char.IsWhiteSpace(c) || c == '\n') tokens++;
        }
        return tokens + (letters + 2) / 3;
    }
}

/// <summary>The real cl100k_base BPE tokenizer (Microsoft.ML.Tokenizers, data bundled in the package,
/// no download). Loading the vocabulary takes a moment, so one instance is shared.</summary>
public sealed class TiktokenTokenCounter : ITokenCounter
{
    private static readonly Lazy<TiktokenTokenCounter> Shared = new(() => new TiktokenTokenCounter());

    private readonly Tokenizer _tokenizer;

    private TiktokenTokenCounter() => _tokenizer = TiktokenTokenizer.CreateForEncoding("cl100k_base");

    public static TiktokenTokenCounter Instance => Shared.Value;

    public int Count(string text) => _tokenizer.CountTokens(text);
}
