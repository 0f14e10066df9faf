namespace Autopilot.InferencePool.Client;

/// <summary>
/// Keys a caller puts in Semantic Kernel's PromptExecutionSettings.ExtensionData to steer one completion
/// on the pool. Only these are read; anything else is ignored.
/// </summary>
public static class PoolExecutionSettings
{
    /// <summary>GBNF grammar text (root rule "root"); the output is guaranteed to match it.</summary>
    public const string Grammar = "grammar";

    /// <summary>JSON schema text; the output is guaranteed to be JSON matching it. Use this or <see cref="Grammar"/>.</summary>
    public const string JsonSchema = "json_schema";

    /// <summary>Max tokens to generate (int).</summary>
    public const string MaxTokens = "max_tokens";

    /// <summary>Sampling temperature (float, 0 = greedy).</summary>
    public const string Temperature = "temperature";

    /// <summary>Sampling seed (int) so a run can be reproduced.</summary>
    public const string Seed = "seed";

    /// <summary>How long to wait for a free session (int, milliseconds; 0 = only a session free now) before the call
    /// fails with <see cref="PoolBusyException"/>. Without it the pool's own queue timeout applies.</summary>
    public const string LeaseWaitMs = "lease_wait_ms";

    /// <summary>Deadline for the whole call in milliseconds (int), waiting for a session included; the pool cancels the
    /// generation and frees the slot when it passes (finish reason "deadline").</summary>
    public const string DeadlineMs = "deadline_ms";
}
