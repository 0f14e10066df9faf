using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Simulator.KubeApi;

/// <summary>What a write is about to do; <see cref="KubeApiState.BeforeWrite"/> sees it before the store does.</summary>
public sealed record KubeWriteRequest(string Verb, KubeResourceType Type, string Namespace, string Name);

/// <summary>Everything a mounted Kubernetes-compatible API shares: objects, tokens, latency and a test hook.</summary>
public sealed class KubeApiState(KubeObjectStore store, KubeAccessControl access)
{
    public KubeObjectStore Store { get; } = store;
    public KubeAccessControl Access { get; } = access;

    /// <summary>Added before every answer, to behave like an API server some network hops away.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Runs after authorisation and before a write reaches the store, e.g. to let a rival writer win a race.</summary>
    public Func<KubeWriteRequest, Task>? BeforeWrite { get; set; }
}

/// <summary>
/// The REST paths of namespaced custom resources, as the real API server serves them:
/// <c>/apis/{group}/{version}/namespaces/{ns}/{plural}[/{name}]</c> and the all-namespaces list <c>/apis/{group}/{version}/{plural}</c>.
/// </summary>
public static class KubeApiEndpoints
{
    public static IEndpointRouteBuilder MapKubeApi(this IEndpointRouteBuilder endpoints, KubeApiState state)
    {
        endpoints.MapKubeDiscovery(state);
        const string item = "/apis/{group}/{version}/namespaces/{ns}/{plural}/{name}";
        const string collection = "/apis/{group}/{version}/namespaces/{ns}/{plural}";

        endpoints.MapGet(item, (HttpContext http, string group, string version, string ns, string plural, string name) =>
            Handle(http, state, group, version, plural, "get", ns, name, (type, _) => Task.FromResult(state.Store.Get(type, ns, name))));

        endpoints.MapGet(collection, (HttpContext http, string group, string version, string ns, string plural) =>
            Handle(http, state, group, version, plural, IsWatch(http) ? "watch" : "list", ns, null,
                (type, _) => Task.FromResult(state.Store.List(type, ns, http.Request.Query["labelSelector"], Limit(http)))));

        endpoints.MapGet("/apis/{group}/{version}/{plural}", (HttpContext http, string group, string version, string plural) =>
            Handle(http, state, group, version, plural, IsWatch(http) ? "watch" : "list", null, null,
                (type, _) => Task.FromResult(state.Store.List(type, null, http.Request.Query["labelSelector"], Limit(http)))));

        endpoints.MapPost(collection, (HttpContext http, string group, string version, string ns, string plural) =>
            Handle(http, state, group, version, plural, "create", ns, null, async (type, body) =>
            {
                var obj = AsObject(body);
                var name = obj["metadata"]?["name"]?.GetValue<string>() ?? "";
                await BeforeWrite(state, "create", type, ns, name);
                return state.Store.Create(type, ns, obj, IsDryRun(http), http.Request.Query["fieldManager"]);
            }, successCode: 201));

        endpoints.MapPut(item, (HttpContext http, string group, string version, string ns, string plural, string name) =>
            Handle(http, state, group, version, plural, "update", ns, name, async (type, body) =>
            {
                await BeforeWrite(state, "update", type, ns, name);
                return state.Store.Replace(type, ns, name, AsObject(body), IsDryRun(http), http.Request.Query["fieldManager"]);
            }));

        endpoints.MapMethods(item, ["PATCH"], (HttpContext http, string group, string version, string ns, string plural, string name) =>
            Handle(http, state, group, version, plural, "patch", ns, name, async (type, body) =>
            {
                await BeforeWrite(state, "patch", type, ns, name);
                var force = string.Equals(http.Request.Query["force"], "true", StringComparison.OrdinalIgnoreCase);
                return state.Store.Patch(type, ns, name, http.Request.ContentType ?? "", body, IsDryRun(http), http.Request.Query["fieldManager"], force);
            }));

        endpoints.MapDelete(item, (HttpContext http, string group, string version, string ns, string plural, string name) =>
            Handle(http, state, group, version, plural, "delete", ns, name, async (type, _) =>
            {
                await BeforeWrite(state, "delete", type, ns, name);
                return state.Store.Delete(type, ns, name, IsDryRun(http));
            }));

        return endpoints;
    }

    private static async Task<IResult> Handle(HttpContext http, KubeApiState state, string group, string version, string plural,
        string verb, string? ns, string? name, Func<KubeResourceType, string, Task<JsonObject>> action, int successCode = 200)
    {
        if (state.Latency > TimeSpan.Zero) await Task.Delay(state.Latency, http.RequestAborted);
        try
        {
            var type = state.Store.FindType(group, version, plural)
                ?? throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
            state.Access.Authorize(BearerToken(http), verb, type, ns, name);
            if (verb == "watch") throw new KubeApiException(405, "MethodNotAllowed", "watch is not supported by this test server");
            var dryRun = http.Request.Query["dryRun"].ToString();
            if (dryRun.Length > 0 && dryRun != "All")
                throw KubeApiException.BadRequest($"Invalid dryRun value \"{dryRun}\": supported values: \"All\"");
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync(http.RequestAborted);
            var result = await action(type, body);
            return Results.Json(result, statusCode: successCode);
        }
        catch (KubeApiException e)
        {
            return Results.Json(e.ToStatus(), statusCode: e.Code);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Results.Json(KubeStatus.Failure(500, "InternalError", $"Internal error occurred: {e.Message}"), statusCode: 500);
        }
    }

    private static Task BeforeWrite(KubeApiState state, string verb, KubeResourceType type, string ns, string name) =>
        state.BeforeWrite?.Invoke(new KubeWriteRequest(verb, type, ns, name)) ?? Task.CompletedTask;

    private static JsonObject AsObject(string body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw KubeApiException.BadRequest("the request body must be a JSON object");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw KubeApiException.BadRequest($"error decoding the request body: {e.Message}");
        }
    }

    internal static string? BearerToken(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private static int? Limit(HttpContext http) =>
        int.TryParse(http.Request.Query["limit"], out var limit) ? limit : null;

    private static bool IsDryRun(HttpContext http) => http.Request.Query["dryRun"] == "All";

    private static bool IsWatch(HttpContext http) => string.Equals(http.Request.Query["watch"], "true", StringComparison.OrdinalIgnoreCase);
}
