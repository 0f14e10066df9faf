using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Autopilot.Actors.Tests.Support;

/// <summary>
/// Stands in for the inference pool's chat completion service: answers with what the test scripts (or throws,
/// as an unavailable pool does), and records every prompt and its execution settings.
/// </summary>
public sealed class FakeChatCompletion : IChatCompletionService
{
    public Func<string, string> Answer { get; set; } = _ => throw new HttpRequestException("inference-pool unavailable (connection refused)");

    public List<(string Prompt, PromptExecutionSettings? Settings)> Calls { get; } = [];

    /// <summary>Each call's messages as sent, role by role.</summary>
    public List<ChatHistory> Histories { get; } = [];

    public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>();

    public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        var prompt = string.Join("\n", chatHistory.Select(m => m.Content));
        lock (Calls)
        {
            Calls.Add((prompt, executionSettings));
            Histories.Add([.. chatHistory]);
        }
        var content = Answer(prompt);
        return Task.FromResult<IReadOnlyList<ChatMessageContent>>([new ChatMessageContent(AuthorRole.Assistant, content)]);
    }

    public IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The planner asks for one complete proposal.");
}
