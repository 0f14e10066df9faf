using System.Text;
using Autopilot.InferencePool.Client;
using LLama;
using Microsoft.Extensions.Logging;

namespace Autopilot.InferencePool.Engine.Prompting;

/// <summary>A rendered prompt split where the shared part ends: <see cref="Prefix"/> is every leading system message.</summary>
public sealed record RenderedPrompt(string Prefix, string Suffix);

/// <summary>
/// Renders chat messages in the model's chat format. "auto" takes the template from the GGUF's metadata
/// (tokenizer.chat_template) through llama.cpp's own template support (LLamaSharp's <see cref="LLamaTemplate"/>), so the
/// format is the one the model was trained with, not a guess from its text; "chatml" and "llama3" name llama.cpp's
/// built-in templates; "plain" is a role-prefixed text format for models without any. The leading system messages
/// render on their own, so the same system prompt gives byte-identical prefix text for every request, which is what
/// makes prefix reuse possible.
/// </summary>
public sealed class ChatPromptTemplate
{
    public static IReadOnlyCollection<string> Names { get; } = ["auto", "chatml", "llama3", "plain"];

    private readonly Func<LLamaTemplate>? _llama;

    private ChatPromptTemplate(string name, Func<LLamaTemplate>? llama)
    {
        Name = name;
        _llama = llama;
    }

    /// <summary>"plain", or the llama.cpp template in use ("chatml", "llama3", or "model" for the GGUF's own).</summary>
    public string Name { get; }

    /// <summary>For models without a chat format (the generated smoke-test model).</summary>
    public static ChatPromptTemplate Plain { get; } = new("plain", null);

    /// <summary>The configured template. "auto" uses the model's own; a model without one gets "plain" and a warning
    /// that names the model, since a chat model prompted in the wrong format answers badly.</summary>
    public static ChatPromptTemplate Resolve(string configured, LLamaWeights weights, string modelName, ILogger logger)
    {
        switch (configured)
        {
            case "plain":
                return Plain;
            case "chatml" or "llama3":
                return new ChatPromptTemplate(configured, () => new LLamaTemplate(configured));
        }
        try
        {
            _ = new LLamaTemplate(weights, strict: true);
            return new ChatPromptTemplate("model", () => new LLamaTemplate(weights, strict: true));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.LogWarning("Model {Model} has no chat template llama.cpp can apply ({Reason}); prompting it with the 'plain' format. " +
                "Set InferencePool:PromptTemplate to chatml or llama3 if the model expects one of those.", modelName, e.Message);
            return Plain;
        }
    }

    /// <exception cref="PoolRequestException">No messages, an unknown role, or nothing after the system messages.</exception>
    public RenderedPrompt Render(IReadOnlyList<PoolChatMessage> messages)
    {
        if (messages is null || messages.Count == 0)
            throw new PoolRequestException("messages", "at least one message is required.");
        var roles = new string[messages.Count];
        var systemCount = -1;
        for (var i = 0; i < messages.Count; i++)
        {
            var role = messages[i].Role?.Trim().ToLowerInvariant();
            if (role is not ("system" or "user" or "assistant" or "tool"))
                throw new PoolRequestException($"messages[{i}].role", $"'{messages[i].Role}' is not a role; use system, user, assistant or tool.");
            roles[i] = role;
            if (role != "system" && systemCount < 0) systemCount = i;
        }
        if (systemCount < 0)
            throw new PoolRequestException("messages", "only system messages were given; add a user message to answer.");

        if (_llama is null)
        {
            var prefix = new StringBuilder();
            var suffix = new StringBuilder();
            for (var i = 0; i < messages.Count; i++)
                (i < systemCount ? prefix : suffix).Append(char.ToUpperInvariant(roles[i][0])).Append(roles[i][1..]).Append(": ").Append(messages[i].Content ?? "").Append("\n\n");
            suffix.Append("Assistant: ");
            return new RenderedPrompt(prefix.ToString(), suffix.ToString());
        }

        var whole = Apply(roles, messages, messages.Count, addAssistant: true);
        if (systemCount == 0) return new RenderedPrompt("", whole);
        var shared = Apply(roles, messages, systemCount, addAssistant: false);
        // A template that renders the system part differently once more messages follow cannot share a prefix.
        return whole.StartsWith(shared, StringComparison.Ordinal)
            ? new RenderedPrompt(shared, whole[shared.Length..])
            : new RenderedPrompt("", whole);
    }

    private string Apply(string[] roles, IReadOnlyList<PoolChatMessage> messages, int count, bool addAssistant)
    {
        var template = _llama!();
        for (var i = 0; i < count; i++) template.Add(roles[i], messages[i].Content ?? "");
        template.AddAssistant = addAssistant;
        return Encoding.UTF8.GetString(template.Apply());
    }
}
