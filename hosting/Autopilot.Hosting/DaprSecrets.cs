using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Autopilot.Hosting;

/// <summary>Where a secret comes from: the configuration key it fills, and the keys that may name another store or
/// secret than the shared defaults.</summary>
public sealed record DaprSecret(string Key, string StoreKey, string NameKey, string DefaultName)
{
    /// <summary>The secret store the deployment defines (components and manifests name it the same).</summary>
    public const string DefaultStore = "autopilot-secrets";

    /// <summary>The HMAC key the guardrail signs approvals with and gateway-bridge verifies: one secret, both apps.</summary>
    public const string ApprovalSigningKey = "approval-signing-key";
}

/// <summary>
/// Secrets from the Dapr secret store, read once at start-up into configuration, the one way every app does it:
/// <c>GET http://127.0.0.1:$DAPR_HTTP_PORT/v1.0/secrets/{store}/{name}</c>, waiting for the sidecar to come up. Nothing
/// happens when the key is already configured or no sidecar is (then start-up validation names the missing key).
/// </summary>
public static class DaprSecrets
{
    private static readonly TimeSpan SidecarWait = TimeSpan.FromSeconds(60);

    public static async Task LoadSecretAsync(this IHostApplicationBuilder builder, DaprSecret secret, CancellationToken ct = default)
    {
        var configuration = builder.Configuration;
        if (!string.IsNullOrEmpty(configuration[secret.Key])) return;
        var port = configuration["DAPR_HTTP_PORT"];
        if (string.IsNullOrEmpty(port)) return;

        var store = configuration[secret.StoreKey] ?? DaprSecret.DefaultStore;
        var name = configuration[secret.NameKey] ?? secret.DefaultName;
        using var loggers = LoggerFactory.Create(logging => logging.AddConsole());
        var logger = loggers.CreateLogger(typeof(DaprSecrets));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
        // A sidecar started with an API token (dapr.io/api-token-secret) refuses calls without it.
        if (configuration["DAPR_API_TOKEN"] is { Length: > 0 } daprToken) http.DefaultRequestHeaders.Add("dapr-api-token", daprToken);
        var deadline = DateTimeOffset.UtcNow + SidecarWait;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync($"v1.0/secrets/{Uri.EscapeDataString(store)}/{Uri.EscapeDataString(name)}", ct);
                if (!response.IsSuccessStatusCode)
                    throw new InvalidOperationException(
                        $"Dapr secret store '{store}' answered {(int)response.StatusCode} for secret '{name}'; define it, or set {secret.Key} directly.");
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
                if (!document.RootElement.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || value.GetString() is not { Length: > 0 } text)
                    throw new InvalidOperationException($"Dapr secret store '{store}' has no string secret '{name}'; define it, or set {secret.Key} directly.");
                configuration[secret.Key] = text;
                logger.LogInformation("Loaded {Key} from Dapr secret store {Store}, secret {Secret}", secret.Key, store, name);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested && DateTimeOffset.UtcNow < deadline)
            {
                logger.LogWarning("Waiting for the Dapr sidecar to read secret {Secret}: {Error}", name, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }
}
