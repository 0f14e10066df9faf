namespace Autopilot.InferencePool.Client;

/// <summary>HTTP headers and query parameters of the pool's API.</summary>
public static class PoolHeaders
{
    /// <summary>Set by the Dapr sidecar on service invocation; when present it is the caller identity.</summary>
    public const string DaprCallerAppId = "dapr-caller-app-id";

    /// <summary>Caller identity when the pool is called without Dapr (direct HTTP).</summary>
    public const string Caller = "X-Autopilot-Caller";

    /// <summary>Query parameter of POST /sessions: the most milliseconds the caller will wait in the queue (0 = do not
    /// queue). The pool's own QueueTimeoutSeconds still caps it.</summary>
    public const string MaxWaitQuery = "max_wait_ms";

    /// <summary>Largest accepted <see cref="MaxWaitQuery"/> value (one hour).</summary>
    public const int MaxWaitLimitMs = 3_600_000;
}
