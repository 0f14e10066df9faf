using LLama.Native;

namespace Autopilot.InferencePool.Engine.Decoding;

/// <summary>
/// One completion for the scheduler: the shared prefix (reused across sessions when it is the same tokens) and the
/// per-request suffix, already tokenized, plus sampling limits.
/// </summary>
internal sealed record GenerationRequest(
    string PrefixKey,
    LLamaToken[] PrefixTokens,
    LLamaToken[] SuffixTokens,
    int MaxTokens,
    float Temperature,
    uint Seed,
    string? Grammar,
    DateTimeOffset Deadline,
    CancellationToken Cancellation);
