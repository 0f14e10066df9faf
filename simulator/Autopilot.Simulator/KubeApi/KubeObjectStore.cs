using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Autopilot.Simulator.KubeApi;

/// <summary>
/// The objects behind the fake API server, with the semantics clients depend on: one cluster-wide resourceVersion
/// counter bumped on every persisted write (a no-op write keeps the old one), a stale metadata.resourceVersion on a
/// write is 409 Conflict, schema violations are 422 Invalid, dry-run validates and answers without persisting.
/// </summary>
public sealed class KubeObjectStore
{
    public const string MergePatchContentType = "application/merge-patch+json";
    public const string JsonPatchContentType = "application/json-patch+json";
    public const string ApplyPatchContentType = "application/apply-patch+yaml";

    private readonly Lock _lock = new();
    private readonly List<KubeResourceType> _types = [];
    // Keyed by resource path, not by the type record, so re-registering a type (e.g. other validation) keeps its objects.
    private readonly Dictionary<(string Type, string Namespace, string Name), JsonObject> _objects = [];
    private readonly TimeProvider _time;
    private long _resourceVersion = 1000;

    public KubeObjectStore(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Register(KubeResourceType.HttpRoute);
    }

    public void Register(KubeResourceType type)
    {
        lock (_lock)
        {
            _types.RemoveAll(t => t.Group == type.Group && t.Version == type.Version && t.Plural == type.Plural);
            _types.Add(type);
        }
    }

    /// <summary>The resource types served, for discovery.</summary>
    public IReadOnlyList<KubeResourceType> Types
    {
        get
        {
            lock (_lock) return [.. _types];
        }
    }

    public KubeResourceType? FindType(string group, string version, string plural)
    {
        lock (_lock) return _types.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural);
    }

    public JsonObject Get(KubeResourceType type, string namespaceName, string name)
    {
        lock (_lock)
        {
            return _objects.TryGetValue((type.QualifiedPlural, namespaceName, name), out var obj)
                ? (JsonObject)obj.DeepClone()
                : throw KubeApiException.NotFound(type, name);
        }
    }

    public JsonObject? TryGet(KubeResourceType type, string namespaceName, string name)
    {
        lock (_lock) return _objects.TryGetValue((type.QualifiedPlural, namespaceName, name), out var obj) ? (JsonObject)obj.DeepClone() : null;
    }

    /// <summary>A <c>{Kind}List</c>; <paramref name="namespaceName"/> null lists all namespaces.</summary>
    public JsonObject List(KubeResourceType type, string? namespaceName, string? labelSelector = null, int? limit = null)
    {
        var selector = LabelSelector.Parse(labelSelector);
        lock (_lock)
        {
            var items = _objects
                .Where(o => o.Key.Type == type.QualifiedPlural && (namespaceName is null || o.Key.Namespace == namespaceName))
                .OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal)
                .Select(o => o.Value)
                .Where(o => selector.Matches(o["metadata"]?["labels"] as JsonObject))
                .Take(limit is > 0 ? limit.Value : int.MaxValue)
                .Select(o => (JsonNode)o.DeepClone())
                .ToArray();
            return new JsonObject
            {
                ["apiVersion"] = type.ApiVersion,
                ["kind"] = type.Kind + "List",
                ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray(items),
            };
        }
    }

    public JsonObject Create(KubeResourceType type, string namespaceName, JsonObject obj, bool dryRun = false, string? fieldManager = null)
    {
        var name = obj["metadata"]?["name"]?.GetValue<string>();
        if (string.IsNullOrEmpty(name)) throw KubeApiException.Invalid(type, "", [("metadata.name", "Required value: name is required")]);
        lock (_lock)
        {
            if (_objects.ContainsKey((type.QualifiedPlural, namespaceName, name))) throw KubeApiException.AlreadyExists(type, name);
            return Commit(type, namespaceName, name, null, (JsonObject)obj.DeepClone(), dryRun, fieldManager ?? "unknown", "Update");
        }
    }

    /// <summary>PUT: the body must carry the resourceVersion it was read at.</summary>
    public JsonObject Replace(KubeResourceType type, string namespaceName, string name, JsonObject obj, bool dryRun = false, string? fieldManager = null)
    {
        lock (_lock)
        {
            var existing = Existing(type, namespaceName, name) ?? throw KubeApiException.NotFound(type, name);
            if (string.IsNullOrEmpty(obj["metadata"]?["resourceVersion"]?.GetValue<string>()))
                throw KubeApiException.Invalid(type, name, [("metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update")]);
            return Commit(type, namespaceName, name, existing, (JsonObject)obj.DeepClone(), dryRun, fieldManager ?? "unknown", "Update");
        }
    }

    public JsonObject Patch(KubeResourceType type, string namespaceName, string name, string contentType, string body,
        bool dryRun = false, string? fieldManager = null, bool force = false)
    {
        var mediaType = contentType.Split(';')[0].Trim();
        JsonNode? patch;
        try
        {
            patch = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            throw KubeApiException.BadRequest($"error decoding patch: {e.Message}");
        }

        lock (_lock)
        {
            var existing = Existing(type, namespaceName, name);
            switch (mediaType)
            {
                case MergePatchContentType:
                {
                    if (existing is null) throw KubeApiException.NotFound(type, name);
                    if (patch is not JsonObject) throw KubeApiException.BadRequest("merge patch must be a JSON object");
                    var merged = JsonPatching.MergePatch(existing, patch) as JsonObject ?? throw KubeApiException.BadRequest("merge patch produced no object");
                    return Commit(type, namespaceName, name, existing, merged, dryRun, fieldManager ?? "unknown", "Update");
                }
                case JsonPatchContentType:
                {
                    if (existing is null) throw KubeApiException.NotFound(type, name);
                    if (patch is not JsonArray operations) throw KubeApiException.BadRequest("json patch must be a JSON array of operations");
                    JsonNode patched;
                    try { patched = JsonPatching.ApplyJsonPatch(existing, operations); }
                    catch (JsonPatchException e) { throw new KubeApiException(422, "Invalid", $"the server rejected our request due to an error in our request: {e.Message}", KubeStatus.Details(type, name)); }
                    return Commit(type, namespaceName, name, existing, patched as JsonObject ?? throw KubeApiException.BadRequest("json patch produced no object"),
                        dryRun, fieldManager ?? "unknown", "Update");
                }
                case ApplyPatchContentType:
                {
                    if (string.IsNullOrEmpty(fieldManager))
                        throw new KubeApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
                    if (patch is not JsonObject applied) throw KubeApiException.BadRequest("apply patch must be an object (this server accepts the JSON form of YAML)");
                    if (applied["apiVersion"]?.GetValue<string>() != type.ApiVersion || applied["kind"]?.GetValue<string>() != type.Kind)
                        throw KubeApiException.BadRequest($"apply patch must name apiVersion {type.ApiVersion} and kind {type.Kind}");
                    var result = existing is null ? applied : (JsonObject)JsonPatching.MergePatch(existing, applied)!;
                    return Commit(type, namespaceName, name, existing, result, dryRun, fieldManager, "Apply");
                }
                default:
                    // Strategic merge patch included: custom resources have no patch strategy, so the API server refuses it.
                    throw new KubeApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: {JsonPatchContentType}, {MergePatchContentType}, {ApplyPatchContentType}");
            }
        }
    }

    public JsonObject Delete(KubeResourceType type, string namespaceName, string name, bool dryRun = false)
    {
        lock (_lock)
        {
            if (!_objects.ContainsKey((type.QualifiedPlural, namespaceName, name))) throw KubeApiException.NotFound(type, name);
            if (!dryRun)
            {
                _objects.Remove((type.QualifiedPlural, namespaceName, name));
                _resourceVersion++;
            }
            return KubeStatus.Success(type, name);
        }
    }

    private JsonObject? Existing(KubeResourceType type, string namespaceName, string name) =>
        _objects.TryGetValue((type.QualifiedPlural, namespaceName, name), out var obj) ? obj : null;

    /// <summary>Checks and stores one write. Caller holds the lock.</summary>
    private JsonObject Commit(KubeResourceType type, string namespaceName, string name, JsonObject? existing, JsonObject candidate,
        bool dryRun, string fieldManager, string operation)
    {
        var metadata = candidate["metadata"] as JsonObject ?? new JsonObject();
        candidate["metadata"] = metadata;
        var bodyName = metadata["name"]?.GetValue<string>();
        if (bodyName is not null && bodyName != name)
            throw KubeApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        var bodyNamespace = metadata["namespace"]?.GetValue<string>();
        if (bodyNamespace is not null && bodyNamespace != namespaceName)
            throw KubeApiException.BadRequest($"the namespace of the provided object does not match the namespace sent on the request");
        metadata["name"] = name;
        metadata["namespace"] = namespaceName;
        candidate["apiVersion"] = type.ApiVersion;
        candidate["kind"] = type.Kind;

        if (existing is not null)
        {
            var expectedVersion = metadata["resourceVersion"]?.GetValue<string>();
            var currentVersion = existing["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(expectedVersion) && expectedVersion != currentVersion) throw KubeApiException.Conflict(type, name);
            // Server-owned metadata survives whatever the client sent.
            foreach (var key in new[] { "uid", "creationTimestamp", "generation", "resourceVersion", "managedFields" })
                metadata[key] = existing["metadata"]?[key]?.DeepClone();
        }

        var registered = _types.FirstOrDefault(t => t.QualifiedPlural == type.QualifiedPlural && t.Version == type.Version) ?? type;
        var errors = registered.Validate?.Invoke(candidate) ?? [];
        if (errors.Count > 0) throw KubeApiException.Invalid(type, name, errors);

        if (existing is not null && JsonNode.DeepEquals(existing, candidate)) return (JsonObject)existing.DeepClone();

        var now = _time.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        if (existing is null)
        {
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = now;
            metadata["generation"] = 1L;
        }
        else if (!JsonNode.DeepEquals(existing["spec"], candidate["spec"]))
        {
            metadata["generation"] = (existing["metadata"]?["generation"]?.GetValue<long>() ?? 0) + 1;
        }
        RecordManager(metadata, fieldManager, operation, type.ApiVersion, now);
        if (dryRun)
        {
            // Dry run: the object as it would be, nothing persisted and no new resourceVersion.
            metadata["resourceVersion"] = existing?["metadata"]?["resourceVersion"]?.DeepClone();
            return candidate;
        }
        metadata["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        _objects[(type.QualifiedPlural, namespaceName, name)] = (JsonObject)candidate.DeepClone();
        return candidate;
    }

    private static void RecordManager(JsonObject metadata, string manager, string operation, string apiVersion, string now)
    {
        var fields = metadata["managedFields"] as JsonArray ?? new JsonArray();
        var entry = fields.OfType<JsonObject>().FirstOrDefault(f =>
            f["manager"]?.GetValue<string>() == manager && f["operation"]?.GetValue<string>() == operation);
        if (entry is null)
        {
            entry = new JsonObject { ["manager"] = manager, ["operation"] = operation, ["apiVersion"] = apiVersion, ["fieldsType"] = "FieldsV1" };
            fields.Add(entry);
        }
        entry["time"] = now;
        metadata["managedFields"] = fields;
    }

    /// <summary>Equality-based label selectors: <c>a=b,c!=d,e</c>.</summary>
    private sealed record LabelSelector(IReadOnlyList<(string Key, string? Value, bool Negate)> Terms)
    {
        public static LabelSelector Parse(string? text)
        {
            var terms = new List<(string, string?, bool)>();
            foreach (var raw in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (raw.Contains("!=")) { var p = raw.Split("!=", 2); terms.Add((p[0].Trim(), p[1].Trim(), true)); }
                else if (raw.Contains('=')) { var p = raw.Split('=', 2); terms.Add((p[0].Trim(), p[1].TrimStart('=').Trim(), false)); }
                else terms.Add((raw, null, false));
            }
            return new LabelSelector(terms);
        }

        public bool Matches(JsonObject? labels) => Terms.All(t =>
        {
            var value = labels?[t.Key]?.GetValue<string>();
            if (t.Value is null) return value is not null;
            return t.Negate ? value != t.Value : value == t.Value;
        });
    }
}
