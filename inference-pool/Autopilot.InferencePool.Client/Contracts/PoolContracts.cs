using System.Text.Json.Serialization;

namespace Autopilot.InferencePool.Client;

/// <summary>A borrowed session: the id to run completions on, and when it is reclaimed unless used or returned.</summary>
public sealed record SessionLease(
    [property: JsonPropertyName("leaseId")] string LeaseId,
    [property: JsonPropertyName("expiresAt")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("ttlSeconds")] int TtlSeconds);

/// <summary>One chat turn. Roles: system, user, assistant.</summary>
public sealed record PoolChatMessage(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string Content);

/// <summary>
/// One completion on a leased session. The leading system messages are the shared prefix (evaluated once and reused by
/// every session that sends the same text); the rest is evaluated per request. At most one of Grammar / JsonSchema.
/// </summary>
public sealed record CompletionRequest
{
    [JsonPropertyName("messages")] public required IReadOnlyList<PoolChatMessage> Messages { get; init; }

    /// <summary>GBNF grammar text with a rule named "root".</summary>
    [JsonPropertyName("grammar")] public string? Grammar { get; init; }

    /// <summary>A JSON schema (object, properties, required, enum, const, string, integer, number, boolean, array).</summary>
    [JsonPropertyName("jsonSchema")] public string? JsonSchema { get; init; }

    [JsonPropertyName("maxTokens")] public int? MaxTokens { get; init; }

    /// <summary>0 = greedy.</summary>
    [JsonPropertyName("temperature")] public float? Temperature { get; init; }

    [JsonPropertyName("seed")] public int? Seed { get; init; }

    /// <summary>Whole-request deadline; generation stops (finish reason "deadline") and the slot is freed after it.</summary>
    [JsonPropertyName("deadlineMs")] public int? DeadlineMs { get; init; }
}

/// <summary>Why generation stopped.</summary>
public static class FinishReasons
{
    /// <summary>The model ended the text (and the grammar, if any, is complete).</summary>
    public const string Stop = "stop";

    /// <summary>Max tokens reached; under a grammar the text may be incomplete.</summary>
    public const string Length = "length";

    /// <summary>The request deadline passed; the text is whatever was generated until then.</summary>
    public const string Deadline = "deadline";
}

public sealed record CompletionResult(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("finishReason")] string FinishReason,
    [property: JsonPropertyName("promptTokens")] int PromptTokens,
    [property: JsonPropertyName("prefixTokensReused")] int PrefixTokensReused,
    [property: JsonPropertyName("completionTokens")] int CompletionTokens);

/// <summary>A snapshot of the pool for operators (GET /pool).</summary>
public sealed record PoolStatus(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("ready")] bool Ready,
    [property: JsonPropertyName("slots")] int Slots,
    [property: JsonPropertyName("activeLeases")] int ActiveLeases,
    [property: JsonPropertyName("queued")] int Queued,
    [property: JsonPropertyName("queueLimit")] int QueueLimit);
