using System.Text.Json;

namespace Autopilot.GatewayBridge;

/// <summary>
/// Loads the approval signing key from the Dapr secret store at start-up when it is not configured directly:
/// <c>GET http://127.0.0.1:$DAPR_HTTP_PORT/v1.0/secrets/{store}/{key}</c>, waiting for the sidecar to come up.
/// </summary>
public static class DaprSecretStoreKey
{
    public const string StoreName = "autopilot-secrets";
    public const string SecretName = "approval-signing-key";

    public static async Task LoadIntoAsync(ConfigurationManager configuration, ILogger logger, CancellationToken ct = default)
    {
        const string key = "GatewayBridge:ApprovalSigningKey";
        if (!string.IsNullOrEmpty(configuration[key])) return;
        var port = configuration["DAPR_HTTP_PORT"];
        if (string.IsNullOrEmpty(port)) return; // No sidecar: start-up validation will name the missing key.

        var store = configuration["GatewayBridge:ApprovalKeySecretStore"] ?? StoreName;
        var secret = configuration["GatewayBridge:ApprovalKeySecretName"] ?? SecretName;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await http.GetAsync($"v1.0/secrets/{Uri.EscapeDataString(store)}/{Uri.EscapeDataString(secret)}", ct);
                response.EnsureSuccessStatusCode();
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
                if (document.RootElement.TryGetProperty(secret, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    configuration[key] = value.GetString();
                    logger.LogInformation("Loaded the approval signing key from Dapr secret store {Store} key {Secret}", store, secret);
                    return;
                }
                throw new InvalidOperationException($"Dapr secret store '{store}' has no string secret '{secret}'.");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && attempt < 10 && !ct.IsCancellationRequested)
            {
                logger.LogWarning("Dapr secret store not reachable yet (attempt {Attempt}): {Error}", attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }
}
