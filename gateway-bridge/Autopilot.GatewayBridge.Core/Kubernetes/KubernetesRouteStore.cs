using System.Text.Json;
using System.Text.Json.Nodes;
using Autopilot.GatewayBridge.Core.Configuration;
using Autopilot.Remediation.Routing;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Autopilot.GatewayBridge.Core.Kubernetes;

/// <summary>
/// HTTPRoutes and the rate-limit policy resource through KubernetesClient's custom-object API, as JSON.
/// Every failure becomes a <see cref="KubernetesApiException"/> carrying the API's Status reason.
/// </summary>
public sealed class KubernetesRouteStore(IKubernetes kubernetes, RateLimitPolicyOptions policy)
{
    public const string FieldManager = "autopilot";
    private const string Group = "gateway.networking.k8s.io";
    private const string Version = "v1";
    private const string Plural = "httproutes";

    public Task<JsonObject> GetRouteAsync(RouteRef route, CancellationToken ct) =>
        Call($"get httproute {route}", () =>
            kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(Group, Version, route.Namespace, Plural, route.Name, ct));

    /// <summary>Routes in one namespace, or in all namespaces when <paramref name="namespaceName"/> is null.</summary>
    public async Task<IReadOnlyList<JsonObject>> ListRoutesAsync(string? namespaceName, CancellationToken ct)
    {
        var list = namespaceName is null
            ? await Call("list httproutes in all namespaces", () =>
                kubernetes.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(Group, Version, Plural, cancellationToken: ct))
            : await Call($"list httproutes in {namespaceName}", () =>
                kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, namespaceName, Plural, cancellationToken: ct));
        return list["items"] is JsonArray items ? items.OfType<JsonObject>().ToList() : [];
    }

    /// <summary>Cheapest call that proves the API server is reachable and the token may list routes (readiness).</summary>
    public Task ProbeAsync(string? namespaceName, CancellationToken ct) => namespaceName is null
        ? Call("list httproutes in all namespaces", () =>
            kubernetes.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(Group, Version, Plural, limit: 1, cancellationToken: ct))
        : Call($"list httproutes in {namespaceName}", () =>
            kubernetes.CustomObjects.ListNamespacedCustomObjectAsync<JsonElement>(Group, Version, namespaceName, Plural, limit: 1, cancellationToken: ct));

    /// <summary>JSON merge patch. When the patch carries metadata.resourceVersion the API server refuses a stale one with 409.</summary>
    public Task<JsonObject> MergePatchRouteAsync(RouteRef route, JsonObject patch, bool dryRun, CancellationToken ct) =>
        Call($"patch httproute {route}", () =>
            kubernetes.CustomObjects.PatchNamespacedCustomObjectAsync<JsonElement>(
                new V1Patch(patch, V1Patch.PatchType.MergePatch), Group, Version, route.Namespace, Plural, route.Name,
                dryRun: dryRun ? "All" : null, fieldManager: FieldManager, cancellationToken: ct));

    public async Task<JsonObject?> GetPolicyAsync(string namespaceName, string name, CancellationToken ct)
    {
        try
        {
            return await Call($"get {policy.Plural} {namespaceName}/{name}", () =>
                kubernetes.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(policy.Group, policy.Version, namespaceName, policy.Plural, name, ct));
        }
        catch (KubernetesApiException e) when (e.StatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>Server-side apply of the whole policy object (creates it when absent), field manager "autopilot".</summary>
    public Task<JsonObject> ApplyPolicyAsync(string namespaceName, string name, JsonObject spec, bool dryRun, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = $"{policy.Group}/{policy.Version}",
            ["kind"] = policy.Kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = namespaceName },
            ["spec"] = spec,
        };
        return Call($"apply {policy.Plural} {namespaceName}/{name}", () =>
            kubernetes.CustomObjects.PatchNamespacedCustomObjectAsync<JsonElement>(
                new V1Patch(body, V1Patch.PatchType.ApplyPatch), policy.Group, policy.Version, namespaceName, policy.Plural, name,
                dryRun: dryRun ? "All" : null, fieldManager: FieldManager, force: true, cancellationToken: ct));
    }

    public async Task DeletePolicyAsync(string namespaceName, string name, bool dryRun, CancellationToken ct)
    {
        try
        {
            await Call($"delete {policy.Plural} {namespaceName}/{name}", () =>
                kubernetes.CustomObjects.DeleteNamespacedCustomObjectAsync<JsonElement>(
                    policy.Group, policy.Version, namespaceName, policy.Plural, name, dryRun: dryRun ? "All" : null, cancellationToken: ct));
        }
        catch (KubernetesApiException e) when (e.StatusCode == 404)
        {
            // Already gone: the desired end state.
        }
    }

    private static async Task<JsonObject> Call(string operation, Func<Task<JsonElement>> call)
    {
        try
        {
            var element = await call();
            return JsonNode.Parse(element.GetRawText()) as JsonObject
                ?? throw new KubernetesApiException(502, "BadResponse", "the response was not a JSON object", operation);
        }
        catch (HttpOperationException e)
        {
            var (reason, message) = ReadStatus(e.Response.Content);
            throw new KubernetesApiException((int)e.Response.StatusCode, reason ?? e.Response.StatusCode.ToString(), message ?? e.Message, operation);
        }
        catch (HttpRequestException e)
        {
            throw new KubernetesApiException(503, "Unavailable", e.Message, operation);
        }
    }

    private static (string? Reason, string? Message) ReadStatus(string? content)
    {
        if (string.IsNullOrEmpty(content)) return (null, null);
        try
        {
            var status = JsonNode.Parse(content);
            return (status?["reason"]?.GetValue<string>(), status?["message"]?.GetValue<string>());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return (null, content.Length > 300 ? content[..300] : content);
        }
    }
}
