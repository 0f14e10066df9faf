using System.Text;
using Autopilot.InferencePool.Client;
using LLama;
using Microsoft.Extensions.Logging;

namespace Autopilot.InferencePool.Engine.Prompting;

/// <summary>A piece of a rendered prompt: the template's own text (<see cref="IsContent"/> false), whose chat markers are
/// special tokens, or a message's content, which is only ever text.</summary>
public sealed record PromptSegment(string Text, bool IsContent);

/// <summary>A rendered prompt split where the shared part ends: <see cref="Prefix"/> is every leading system message.
/// The segments say which text the template wrote and which came from a message.</summary>
public sealed record RenderedPrompt(IReadOnlyList<PromptSegment> PrefixSegments, IReadOnlyList<PromptSegment> SuffixSegments)
{
    public string Prefix => string.Concat(PrefixSegments.Select(s => s.Text));
    public string Suffix => string.Concat(SuffixSegments.Select(s => s.Text));
}

/// <summary>
/// Renders chat messages in the model's chat format. "auto" takes the template from the GGUF's metadata
/// (tokenizer.chat_template) through llama.cpp's own template support (LLamaSharp's <see cref="LLamaTemplate"/>), so the
/// format is the one the model was trained with, not a guess from its text; "chatml" and "llama3" name llama.cpp's
/// built-in templates; "plain" is a role-prefixed text format for models without any. The leading system messages
/// render on their own, so the same system prompt gives byte-identical prefix text for every request, which is what
/// makes prefix reuse possible. Each message's content is rendered as a placeholder first, so the result says which
/// text is the template's (its role markers) and which is content (never a marker, whatever it contains).
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

        var contents = messages.Select(m => m.Content ?? "").ToArray();
        if (_llama is null)
        {
            var prefix = new List<PromptSegment>();
            var suffix = new List<PromptSegment>();
            for (var i = 0; i < messages.Count; i++)
            {
                var into = i < systemCount ? prefix : suffix;
                into.Add(new PromptSegment(char.ToUpperInvariant(roles[i][0]) + roles[i][1..] + ": ", false));
                into.Add(new PromptSegment(contents[i], true));
                into.Add(new PromptSegment("\n\n", false));
            }
            suffix.Add(new PromptSegment("Assistant: ", false));
            return new RenderedPrompt(Merge(prefix), Merge(suffix));
        }

        // Placeholders of letters and digits only (a template may trim or escape content), unique to this call.
        var nonce = Guid.NewGuid().ToString("N");
        var placeholders = contents.Select((_, i) => $"AUTOPILOT{nonce}M{i}E").ToArray();
        var whole = Apply(roles, placeholders, messages.Count, addAssistant: true);
        var split = 0;
        if (systemCount > 0)
        {
            var shared = Apply(roles, placeholders, systemCount, addAssistant: false);
            // A template that renders the system part differently once more messages follow cannot share a prefix.
            if (whole.StartsWith(shared, StringComparison.Ordinal)) split = shared.Length;
        }

        // The content as the template would have written it: verbatim, or trimmed where the template trims (llama3).
        var actual = Apply(roles, contents, messages.Count, addAssistant: true);
        var segments = Segments(whole, placeholders, contents);
        if (string.Concat(segments.Select(s => s.Text)) != actual)
        {
            var trimmed = contents.Select(c => c.Trim()).ToArray();
            var retry = Segments(whole, placeholders, trimmed);
            if (string.Concat(retry.Select(s => s.Text)) == actual) (segments, contents) = (retry, trimmed);
        }

        // Where the shared part ends in the rendered text, moved back by the length difference of content before it.
        var at = split;
        var placed = 0;
        var shift = 0;
        for (var i = 0; i < placeholders.Length; i++)
        {
            var found = whole.IndexOf(placeholders[i], placed, StringComparison.Ordinal);
            if (found < 0 || found >= split) continue;
            shift += contents[i].Length - placeholders[i].Length;
            placed = found + placeholders[i].Length;
        }
        at += shift;
        var prefixPart = new List<PromptSegment>();
        var suffixPart = new List<PromptSegment>();
        var offset = 0;
        foreach (var segment in segments)
        {
            var end = offset + segment.Text.Length;
            if (end <= at) prefixPart.Add(segment);
            else if (offset >= at) suffixPart.Add(segment);
            else
            {
                // Only template text straddles the split: the shared part ends after a whole message.
                prefixPart.Add(segment with { Text = segment.Text[..(at - offset)] });
                suffixPart.Add(segment with { Text = segment.Text[(at - offset)..] });
            }
            offset = end;
        }
        return new RenderedPrompt(Merge(prefixPart), Merge(suffixPart));
    }

    /// <summary>The rendering with placeholders cut into template text and each message's content.</summary>
    private static List<PromptSegment> Segments(string rendered, string[] placeholders, string[] contents)
    {
        var segments = new List<PromptSegment>();
        var cursor = 0;
        for (var i = 0; i < placeholders.Length; i++)
        {
            var found = rendered.IndexOf(placeholders[i], cursor, StringComparison.Ordinal);
            if (found < 0) continue;
            segments.Add(new PromptSegment(rendered[cursor..found], false));
            segments.Add(new PromptSegment(contents[i], true));
            cursor = found + placeholders[i].Length;
        }
        segments.Add(new PromptSegment(rendered[cursor..], false));
        return segments;
    }

    private static List<PromptSegment> Merge(List<PromptSegment> segments)
    {
        var merged = new List<PromptSegment>();
        foreach (var segment in segments)
        {
            if (segment.Text.Length == 0) continue;
            if (merged.Count > 0 && merged[^1].IsContent == segment.IsContent && !segment.IsContent)
                merged[^1] = segment with { Text = merged[^1].Text + segment.Text };
            else merged.Add(segment);
        }
        return merged;
    }

    private string Apply(string[] roles, string[] contents, int count, bool addAssistant)
    {
        var template = _llama!();
        for (var i = 0; i < count; i++) template.Add(roles[i], contents[i]);
        template.AddAssistant = addAssistant;
        return Encoding.UTF8.GetString(template.Apply());
    }
}
