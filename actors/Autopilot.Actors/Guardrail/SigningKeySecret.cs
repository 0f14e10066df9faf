using Autopilot.Incidents.Guardrail;
using Dapr.Client;

namespace Autopilot.Actors.Guardrail;

/// <summary>
/// Puts the approval signing key into configuration from the Dapr secret store ("autopilot-secrets", key
/// "approval-signing-key") at start-up, unless Autopilot:Guardrail:SigningKey is already set or no sidecar is
/// configured (then start-up validation names the missing key).
/// </summary>
public static class SigningKeySecret
{
    public const string StoreName = "autopilot-secrets";
    public const string SecretName = "approval-signing-key";
    private const string Key = GuardrailOptions.Section + ":SigningKey";

    public static async Task LoadAsync(ConfigurationManager configuration, ILogger logger, CancellationToken ct = default)
    {
        if (!string.IsNullOrEmpty(configuration[Key])) return;
        if (string.IsNullOrEmpty(configuration["DAPR_GRPC_PORT"]) && string.IsNullOrEmpty(configuration["DAPR_HTTP_PORT"])) return;

        var store = configuration[GuardrailOptions.Section + ":SigningKeySecretStore"] ?? StoreName;
        var name = configuration[GuardrailOptions.Section + ":SigningKeySecretName"] ?? SecretName;
        using var dapr = new DaprClientBuilder().Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await dapr.WaitForSidecarAsync(timeout.Token);
        var secret = await dapr.GetSecretAsync(store, name, cancellationToken: timeout.Token);
        if (!secret.TryGetValue(name, out var value) || string.IsNullOrEmpty(value))
            throw new InvalidOperationException($"Dapr secret store '{store}' has no secret '{name}'; set it, or set {Key} directly.");
        configuration[Key] = value;
        logger.LogInformation("Loaded the approval signing key from Dapr secret store {Store} key {Secret}", store, name);
    }
}
