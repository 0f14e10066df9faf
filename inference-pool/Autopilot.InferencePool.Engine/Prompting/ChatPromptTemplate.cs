using System.Text;
using Autopilot.InferencePool.Client;

namespace Autopilot.InferencePool.Engine.Prompting;

/// <summary>A rendered prompt split where the shared part ends: <see cref="Prefix"/> is every leading system message.</summary>
public sealed record RenderedPrompt(string Prefix, string Suffix);

/// <summary>
/// Renders chat messages in the model's chat format. The leading system messages render on their own, so the same
/// system prompt gives byte-identical prefix text for every request, which is what makes prefix reuse possible.
/// </summary>
public sealed class ChatPromptTemplate
{
    public static IReadOnlyCollection<string> Names { get; } = ["auto", "chatml", "llama3", "plain"];

    private readonly Func<string, string, string> _message;
    private readonly string _assistantHeader;

    private ChatPromptTemplate(string name, string beginText, Func<string, string, string> message, string assistantHeader)
    {
        Name = name;
        BeginText = beginText;
        _message = message;
        _assistantHeader = assistantHeader;
    }

    public string Name { get; }

    /// <summary>Text the template puts first (Llama 3's begin-of-text marker); when set, no BOS token is added.</summary>
    public string BeginText { get; }

    public static ChatPromptTemplate ChatMl { get; } = new("chatml", "",
        (role, content) => $"<|im_start|>{role}\n{content}<|im_end|>\n", "<|im_start|>assistant\n");

    public static ChatPromptTemplate Llama3 { get; } = new("llama3", "<|begin_of_text|>",
        (role, content) => $"<|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>",
        "<|start_header_id|>assistant<|end_header_id|>\n\n");

    /// <summary>For models without a chat format (the generated smoke-test model).</summary>
    public static ChatPromptTemplate Plain { get; } = new("plain", "",
        (role, content) => $"{char.ToUpperInvariant(role[0])}{role[1..]}: {content}\n\n", "Assistant: ");

    /// <summary>The configured template; "auto" recognises the model's own chat template text, else plain.</summary>
    public static ChatPromptTemplate Resolve(string configured, string? modelChatTemplate) => configured switch
    {
        "chatml" => ChatMl,
        "llama3" => Llama3,
        "plain" => Plain,
        _ when modelChatTemplate?.Contains("<|im_start|>", StringComparison.Ordinal) == true => ChatMl,
        _ when modelChatTemplate?.Contains("<|start_header_id|>", StringComparison.Ordinal) == true => Llama3,
        _ => Plain,
    };

    /// <exception cref="PoolRequestException">No messages, an unknown role, or nothing after the system messages.</exception>
    public RenderedPrompt Render(IReadOnlyList<PoolChatMessage> messages)
    {
        if (messages is null || messages.Count == 0)
            throw new PoolRequestException("messages", "at least one message is required.");
        var prefix = new StringBuilder(BeginText);
        var suffix = new StringBuilder();
        var inPrefix = true;
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            var role = m.Role?.Trim().ToLowerInvariant();
            if (role is not ("system" or "user" or "assistant" or "tool"))
                throw new PoolRequestException($"messages[{i}].role", $"'{m.Role}' is not a role; use system, user, assistant or tool.");
            if (role != "system") inPrefix = false;
            (inPrefix ? prefix : suffix).Append(_message(role, m.Content ?? ""));
        }
        if (inPrefix)
            throw new PoolRequestException("messages", "only system messages were given; add a user message to answer.");
        suffix.Append(_assistantHeader);
        return new RenderedPrompt(prefix.ToString(), suffix.ToString());
    }
}
