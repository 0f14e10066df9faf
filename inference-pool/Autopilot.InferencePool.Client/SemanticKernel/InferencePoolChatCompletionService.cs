using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Services;

namespace Autopilot.InferencePool.Client.SemanticKernel;

/// <summary>
/// Semantic Kernel chat completion over the pool: each call borrows a session, runs ONE completion and returns the
/// session, so a caller written against <see cref="IChatCompletionService"/> never handles leases. Leading system
/// messages become the pool's shared prefix. Steering comes from <see cref="PromptExecutionSettings.ExtensionData"/>
/// with the keys in <see cref="PoolExecutionSettings"/>.
/// </summary>
public sealed class InferencePoolChatCompletionService(IInferencePool pool, string modelId = "inference-pool", TimeProvider? time = null)
    : IChatCompletionService
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public IReadOnlyDictionary<string, object?> Attributes { get; } =
        new Dictionary<string, object?> { [AIServiceExtensions.ModelIdKey] = modelId };

    public async Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory,
        PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatHistory);
        var request = ToRequest(chatHistory, executionSettings);
        var leaseWait = ReadNumber(executionSettings?.ExtensionData, PoolExecutionSettings.LeaseWaitMs) is { } ms
            ? TimeSpan.FromMilliseconds(ms >= 0 ? ms : throw new PoolRequestException(PoolExecutionSettings.LeaseWaitMs, "must not be negative"))
            : (TimeSpan?)null;
        var started = _time.GetUtcNow();
        var lease = await pool.LeaseAsync(leaseWait, cancellationToken);
        CompletionResult result;
        try
        {
            // deadline_ms bounds the whole call: what was spent waiting for the session is no longer available.
            if (request.DeadlineMs is { } deadlineMs)
            {
                var left = deadlineMs - (int)Math.Ceiling((_time.GetUtcNow() - started).TotalMilliseconds);
                if (left < 1)
                    throw new PoolBusyException(TimeSpan.FromSeconds(1), $"The deadline of {deadlineMs} ms passed while waiting for a session.");
                request = request with { DeadlineMs = left };
            }
            result = await pool.CompleteAsync(lease.LeaseId, request, cancellationToken);
        }
        finally
        {
            // Returned even when the caller gave up, so the session does not wait for the lease TTL. If returning fails
            // (pool unreachable) the TTL reclaims it; that must not hide the completion's own outcome.
            try
            {
                await pool.ReleaseAsync(lease.LeaseId, CancellationToken.None);
            }
            catch (InferencePoolException)
            {
            }
        }

        var metadata = new Dictionary<string, object?>
        {
            ["finish_reason"] = result.FinishReason,
            ["prompt_tokens"] = result.PromptTokens,
            ["prefix_tokens_reused"] = result.PrefixTokensReused,
            ["completion_tokens"] = result.CompletionTokens,
        };
        return [new ChatMessageContent(AuthorRole.Assistant, result.Text, modelId, metadata: metadata)];
    }

    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory,
        PromptExecutionSettings? executionSettings = null, Kernel? kernel = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The pool answers whole completions (a proposal is only useful once it parses), so the stream is one chunk.
        var messages = await GetChatMessageContentsAsync(chatHistory, executionSettings, kernel, cancellationToken);
        foreach (var message in messages)
            yield return new StreamingChatMessageContent(message.Role, message.Content, modelId: modelId, metadata: message.Metadata);
    }

    /// <summary>Maps SK's chat history and execution settings to the pool's request; bad settings name their key.</summary>
    public static CompletionRequest ToRequest(ChatHistory chatHistory, PromptExecutionSettings? settings)
    {
        var data = settings?.ExtensionData;
        return new CompletionRequest
        {
            Messages = chatHistory.Select(m => new PoolChatMessage(m.Role.Label, m.Content ?? string.Empty)).ToList(),
            Grammar = ReadString(data, PoolExecutionSettings.Grammar),
            JsonSchema = ReadString(data, PoolExecutionSettings.JsonSchema),
            MaxTokens = ReadNumber(data, PoolExecutionSettings.MaxTokens) is { } max ? checked((int)max) : null,
            Temperature = ReadNumber(data, PoolExecutionSettings.Temperature) is { } t ? (float)t : null,
            Seed = ReadNumber(data, PoolExecutionSettings.Seed) is { } seed ? checked((int)seed) : null,
            DeadlineMs = ReadNumber(data, PoolExecutionSettings.DeadlineMs) is { } ms ? checked((int)ms) : null,
        };
    }

    private static string? ReadString(IDictionary<string, object>? data, string key) =>
        data is null || !data.TryGetValue(key, out var value) || value is null ? null : value switch
        {
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
            JsonElement { ValueKind: JsonValueKind.Object or JsonValueKind.Array } e => e.GetRawText(),
            _ => throw new PoolRequestException(key, $"expected text, got {value.GetType().Name}"),
        };

    private static double? ReadNumber(IDictionary<string, object>? data, string key)
    {
        if (data is null || !data.TryGetValue(key, out var value) || value is null) return null;
        return value switch
        {
            int i => i,
            long l => l,
            float f => f,
            double d => d,
            decimal m => (double)m,
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
            JsonElement { ValueKind: JsonValueKind.String } e when double.TryParse(e.GetString(), NumberStyles.Float,
                CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => throw new PoolRequestException(key, $"expected a number, got '{value}'"),
        };
    }
}
