namespace Autopilot.InferencePool.Client;

/// <summary>HTTP headers of the pool's API.</summary>
public static class PoolHeaders
{
    /// <summary>Set by the Dapr sidecar on service invocation; when present it is the caller identity.</summary>
    public const string DaprCallerAppId = "dapr-caller-app-id";

    /// <summary>Caller identity when the pool is called without Dapr (direct HTTP).</summary>
    public const string Caller = "X-Autopilot-Caller";
}
