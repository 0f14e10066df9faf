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
}

/// <summary>
/// Renders chat messages with the model's chat template and tokenizes them exactly as the pool feeds them to the
/// model. The pool and the trainer's data preparation both use it, so the default model is trained on the very
/// tokens it is later asked with.
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
        var prefixTokens = prompt.Prefix.Length == 0 ? [] : Tokenize(prompt.Prefix, _addBos);
        var suffixTokens = Tokenize(prompt.Suffix, addBos: prefixTokens.Length == 0 && _addBos);
        return new EncodedPrompt(prompt.Prefix, prefixTokens, suffixTokens);
    }

    /// <summary>Tokens of generated text (no BOS), as the model would write it.</summary>
    public LLamaToken[] Tokenize(string text, bool addBos) => _weights.Tokenize(text, addBos, special: true, Encoding.UTF8);
}
