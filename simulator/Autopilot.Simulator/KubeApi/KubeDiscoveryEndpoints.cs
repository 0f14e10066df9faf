using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Simulator.KubeApi;

/// <summary>
/// The discovery documents kubectl reads before it can name a resource (<c>/version</c>, <c>/api</c>, <c>/apis</c>,
/// <c>/apis/{group}</c>, <c>/apis/{group}/{version}</c>), built from the resource types the store serves. Legacy
/// discovery only: kubectl asks for the aggregated form first and falls back when the answer is plain JSON.
/// </summary>
public static class KubeDiscoveryEndpoints
{
    /// <summary>The verbs the resource endpoints implement (watch is refused).</summary>
    private static readonly string[] Verbs = ["create", "delete", "get", "list", "patch", "update"];

    public static IEndpointRouteBuilder MapKubeDiscovery(this IEndpointRouteBuilder endpoints, KubeApiState state)
    {
        endpoints.MapGet("/version", (HttpContext http) => Answer(http, state, () => new JsonObject
        {
            ["major"] = "1",
            ["minor"] = "31",
            ["gitVersion"] = "v1.31.0-autopilot-simulator",
            ["platform"] = "linux/amd64",
        }));

        endpoints.MapGet("/api", (HttpContext http) => Answer(http, state, () => new JsonObject
        {
            ["kind"] = "APIVersions",
            ["versions"] = new JsonArray("v1"),
            ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = http.Request.Host.Value }),
        }));

        // The core group serves no resources here; kubectl still asks for its list.
        endpoints.MapGet("/api/v1", (HttpContext http) => Answer(http, state, () => ResourceList("v1", [])));

        endpoints.MapGet("/apis", (HttpContext http) => Answer(http, state, () => new JsonObject
        {
            ["kind"] = "APIGroupList",
            ["apiVersion"] = "v1",
            ["groups"] = new JsonArray([.. state.Store.Types.GroupBy(t => t.Group).Select(g => (JsonNode)Group(g.Key, g))]),
        }));

        endpoints.MapGet("/apis/{group}", (HttpContext http, string group) => Answer(http, state, () =>
        {
            var types = state.Store.Types.Where(t => t.Group == group).ToList();
            if (types.Count == 0) throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
            var document = Group(group, types);
            document["kind"] = "APIGroup";
            document["apiVersion"] = "v1";
            return document;
        }));

        endpoints.MapGet("/apis/{group}/{version}", (HttpContext http, string group, string version) => Answer(http, state, () =>
            state.Store.Types.Where(t => t.Group == group && t.Version == version).ToList() is { Count: > 0 } types
                ? ResourceList($"{group}/{version}", types)
                : throw new KubeApiException(404, "NotFound", "the server could not find the requested resource")));

        return endpoints;
    }

    private static JsonObject Group(string name, IEnumerable<KubeResourceType> types)
    {
        var versions = types.Select(t => t.Version).Distinct().Order(StringComparer.Ordinal).ToList();
        JsonObject Version(string v) => new() { ["groupVersion"] = $"{name}/{v}", ["version"] = v };
        return new JsonObject
        {
            ["name"] = name,
            ["versions"] = new JsonArray([.. versions.Select(v => (JsonNode)Version(v))]),
            ["preferredVersion"] = Version(versions[^1]),
        };
    }

    private static JsonObject ResourceList(string groupVersion, IEnumerable<KubeResourceType> types) => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = groupVersion,
        ["resources"] = new JsonArray([.. types.Select(t => (JsonNode)new JsonObject
        {
            ["name"] = t.Plural,
            ["singularName"] = t.Kind.ToLowerInvariant(),
            ["namespaced"] = true,
            ["kind"] = t.Kind,
            ["verbs"] = new JsonArray([.. Verbs.Select(v => (JsonNode)v)]),
        })]),
    };

    private static IResult Answer(HttpContext http, KubeApiState state, Func<JsonObject> document)
    {
        try
        {
            state.Access.AuthorizeDiscovery(KubeApiEndpoints.BearerToken(http));
            return Results.Json(document());
        }
        catch (KubeApiException e)
        {
            return Results.Json(e.ToStatus(), statusCode: e.Code);
        }
    }
}
