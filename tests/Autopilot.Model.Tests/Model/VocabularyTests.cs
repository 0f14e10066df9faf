using Autopilot.Decisions.Training;

namespace Autopilot.Model.Tests.Model;

public sealed class VocabularyTests
{
    /// <summary>A name per text, each used once: names are rare, the prompt's wording is not.</summary>
    private static string Name(int i) => $"k{(char)('a' + i % 26)}{(char)('a' + i / 26 % 26)}x";

    private static readonly string[] Texts =
    [
        .. Enumerable.Range(0, 60).Select(i => $"version {Name(i)}-v{i} err=1{i}% out-of-bounds err>5%"),
        .. Enumerable.Range(60, 60).Select(i => $"{{\"action\":\"rollback_canary\",\"reason\":\"{Name(i)}-v{i} err=4{i}%\"}}"),
    ];

    [Fact]
    public void Learning_the_same_texts_gives_the_same_vocabulary()
    {
        Assert.Equal(DeciderVocabulary.Learn(Texts, 200).Tokens, DeciderVocabulary.Learn(Texts, 200).Tokens);
    }

    [Fact]
    public void Digits_never_merge_and_words_never_absorb_punctuation()
    {
        var learned = DeciderVocabulary.Learn(Texts, 300).Tokens.Where(t => t.Score > -1_000_000f && t.Type == 1).Select(t => t.Piece).ToList();
        Assert.NotEmpty(learned);
        Assert.DoesNotContain(learned, p => p.Length > 1 && p.Any(char.IsAsciiDigit));
        // A name after '"' or '=' must start a token of its own.
        Assert.DoesNotContain(learned, p => p.Length > 1 && (p[^1] is '"' or '=') && p.Any(char.IsAsciiLetter) && !char.IsAsciiLetter(p[0]));
        Assert.DoesNotContain(learned, p => p.Length > 1 && p[0] is '"' or '=' && char.IsAsciiLetter(p[^1]));
    }

    [Fact]
    public void A_keyword_absorbs_its_leading_space_and_a_name_does_not()
    {
        var learned = DeciderVocabulary.Learn(Texts, 300).Tokens.Select(t => t.Piece).ToHashSet();
        Assert.Contains("\u2581err", learned);
        Assert.DoesNotContain(learned, p => p.StartsWith("\u2581k", StringComparison.Ordinal));
    }

    [Fact]
    public void The_vocabulary_holds_control_byte_and_chat_tokens_first()
    {
        var tokens = DeciderVocabulary.Build([]).Tokens;
        Assert.Equal(["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"], tokens.Take(5).Select(t => t.Piece));
        Assert.Equal(256, tokens.Count(t => t.Type == 6));
    }
}
