namespace Autopilot.GatewayBridge.Core.Kubernetes;

/// <summary>A non-success answer from the Kubernetes API, with the Status object's reason and message.</summary>
public sealed class KubernetesApiException(int statusCode, string reason, string message, string operation)
    : Exception($"Kubernetes API answered {statusCode} {reason} to {operation}: {message}")
{
    public int StatusCode { get; } = statusCode;
    public string Reason { get; } = reason;
    public string ApiMessage { get; } = message;
    public string Operation { get; } = operation;
}
