using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Autopilot.Standalone.Demo;

/// <summary>
/// Stands in for the model in a wrong-proposal scenario: answers every plan with the scenario's proposal, so the run
/// shows what the deterministic parts do with a bad idea (parse it against the SOP, let policy deny it, or verify,
/// find it did not help and undo it). Never registered outside such a scenario.
/// </summary>
public sealed class ScriptedProposalService(string proposal) : IChatCompletionService
{
    public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>();

    public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ChatMessageContent>>([new ChatMessageContent(AuthorRole.Assistant, proposal)]);

    public IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The planner asks for one complete proposal.");
}
