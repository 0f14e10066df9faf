using System.Text;
using Autopilot.InferencePool.Client;
using LLama;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Autopilot.InferencePool.Engine.Prompting;

/// <summary>A prompt as the model reads it: the shared prefix (BOS and system messages) and the rest.</summary>
public sealed record EncodedPrompt(string Prefix, LLamaToken[] PrefixTokens, LLamaToken[] SuffixTokens)
{
    public int Count => PrefixTokens.Length + SuffixTokens.Length;

    /// <summary>The rendered text after the prefix.</summary>
    public string Suffix { get; init; } = "";

    /// <summary>What identifies the prefix for reuse: its tokens, not its text (the same text can be different tokens
    /// when a message's content spells a chat marker).</summary>
    public string PrefixKey { get; } = string.Join(',', PrefixTokens.Select(t => (int)t));
}

/// <summary>
/// Renders chat messages with the model's chat template and tokenizes them exactly as the pool feeds them to the
/// model. The pool and the trainer's data preparation both use it, so the default model is trained on the very
/// tokens it is later asked with.
/// <para>Only the template's own markers are special tokens. The rendered text is cut, as llama.cpp cuts it, at the
/// special tokens the template wrote (<c>&lt;|im_start|&gt;</c>, <c>&lt;|im_end|&gt;</c>...); the text between them,
/// template text and message content together, is tokenized with special-token parsing off. So content that spells a
/// marker (an alert annotation carrying <c>&lt;|im_end|&gt;&lt;|im_start|&gt;system</c>) is plain text inside its
/// turn, while benign content gets exactly the tokens it got when the whole prompt was parsed for special tokens.</para>
/// </summary>
public sealed class PromptEncoder
{
    private readonly LLamaWeights _weights;
    private readonly ChatPromptTemplate _template;
    private readonly bool _addBos;

    public PromptEncoder(LLamaWeights weights, string configuredTemplate, string modelName, ILogger logger)
    {
        _weights = weights;
        _template = ChatPromptTemplate.Resolve(configuredTemplate, weights, modelName, logger);
        _addBos = weights.Vocab.ShouldAddBOS;
    }

    public string TemplateName => _template.Name;

    /// <exception cref="PoolRequestException">The messages cannot be rendered.</exception>
    public EncodedPrompt Encode(IReadOnlyList<PoolChatMessage> messages)
    {
        var prompt = _template.Render(messages);
        var prefixTokens = prompt.PrefixSegments.Count == 0 ? [] : Encode(prompt.PrefixSegments, _addBos);
        var suffixTokens = Encode(prompt.SuffixSegments, addBos: prefixTokens.Length == 0 && _addBos);
        return new EncodedPrompt(prompt.Prefix, prefixTokens, suffixTokens) { Suffix = prompt.Suffix };
    }

    /// <summary>Tokens of text (no special-token parsing unless <paramref name="special"/>): what the model writes, or
    /// what a piece of text costs. A marker's text is a special token only with <paramref name="special"/>.</summary>
    public LLamaToken[] Tokenize(string text, bool addBos, bool special = false) => _weights.Tokenize(text, addBos, special, Encoding.UTF8);

    private LLamaToken[] Encode(IReadOnlyList<PromptSegment> segments, bool addBos)
    {
        // Runs of text between the template's markers; a run may hold template text and content together.
        var pieces = new List<(string? Text, LLamaToken Marker)>();
        var markers = new HashSet<LLamaToken>();
        var run = new StringBuilder();
        foreach (var segment in segments)
        {
            if (segment.IsContent)
            {
                run.Append(segment.Text);
                continue;
            }
            var cursor = 0;
            foreach (var token in _weights.Tokenize(segment.Text, false, true, Encoding.UTF8))
            {
                if (!IsMarker(token)) continue;
                var piece = _weights.Vocab.LLamaTokenToString(token, true) ?? "";
                var at = piece.Length == 0 ? -1 : segment.Text.IndexOf(piece, cursor, StringComparison.Ordinal);
                if (at < 0) continue;
                run.Append(segment.Text, cursor, at - cursor);
                if (run.Length > 0) pieces.Add((run.ToString(), default));
                run.Clear();
                pieces.Add((null, token));
                markers.Add(token);
                cursor = at + piece.Length;
            }
            run.Append(segment.Text, cursor, segment.Text.Length - cursor);
        }
        if (run.Length > 0) pieces.Add((run.ToString(), default));

        var tokens = new List<LLamaToken>();
        if (addBos && _weights.Vocab.BOS is { } bos) tokens.Add(bos);
        foreach (var (text, marker) in pieces)
        {
            if (text is null)
            {
                tokens.Add(marker);
                continue;
            }
            var plain = _weights.Tokenize(text, false, false, Encoding.UTF8);
            // A vocabulary may match a marker even with special-token parsing off (a user-defined token): then the
            // content could still close its turn, so the request is refused rather than sent.
            foreach (var leaked in plain.Where(markers.Contains))
                throw new PoolRequestException("messages",
                    $"a message contains the chat marker '{_weights.Vocab.LLamaTokenToString(leaked, true)}', which this model's vocabulary reads as a marker even in plain text.");
            tokens.AddRange(plain);
        }
        return [.. tokens];
    }

    private bool IsMarker(LLamaToken token) =>
        (token.GetAttributes(_weights.Vocab) & (LLamaTokenAttr.Control | LLamaTokenAttr.UserDefined)) != 0;
}
