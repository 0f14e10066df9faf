using Microsoft.ML.Tokenizers;

namespace Autopilot.Remediation.Compaction;

/// <summary>Counts tokens the way the model will see them, so the fact sheet fits its budget.</summary>
public interface ITokenCounter
{
    int Count(string text);
}

/// <summary>
/// Fallback when no real tokenizer is available. Deliberately errs high: one token per punctuation or
/// symbol character, and one per started group of four characters in each run of letters/digits,
/// so a sheet it accepts fits real BPE tokenizers (cl100k, Llama) too.
/// </summary>
public sealed class ApproximateTokenCounter : ITokenCounter
{
    public static ApproximateTokenCounter Instance { get; } = new();

    public int Count(string text)
    {
        var tokens = 0;
        var run = 0;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                run++;
                continue;
            }
            tokens += (run + 3) / 4;
            run = 0;
            if (!char.IsWhiteSpace(c) || c == '\n') tokens++;
        }
        return tokens + (run + 3) / 4;
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
