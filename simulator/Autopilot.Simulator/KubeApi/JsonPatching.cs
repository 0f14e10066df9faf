using System.Globalization;
using System.Text.Json.Nodes;

namespace Autopilot.Simulator.KubeApi;

/// <summary>RFC 7386 JSON merge patch and RFC 6902 JSON patch over <see cref="JsonNode"/>, as the API server applies them.</summary>
public static class JsonPatching
{
    /// <summary>Merge patch: objects merge recursively, null removes a member, anything else (lists included) replaces.</summary>
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject) return patch?.DeepClone();
        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null) result.Remove(key);
            else result[key] = MergePatch(result[key], value);
        }
        return result;
    }

    /// <summary>JSON patch; a failed "test" or a bad path throws <see cref="JsonPatchException"/>.</summary>
    public static JsonNode ApplyJsonPatch(JsonNode document, JsonArray operations)
    {
        var root = document.DeepClone();
        foreach (var op in operations)
        {
            if (op is not JsonObject operation) throw new JsonPatchException("each operation must be an object");
            var kind = operation["op"]?.GetValue<string>() ?? throw new JsonPatchException("operation without \"op\"");
            var path = operation["path"]?.GetValue<string>() ?? throw new JsonPatchException($"\"{kind}\" without \"path\"");
            switch (kind)
            {
                case "add": root = Add(root, path, Value(operation)); break;
                case "remove": Remove(root, path); break;
                case "replace": Remove(root, path); root = Add(root, path, Value(operation)); break;
                case "move":
                {
                    var from = From(operation);
                    var moved = Get(root, from)?.DeepClone();
                    Remove(root, from);
                    root = Add(root, path, moved);
                    break;
                }
                case "copy": root = Add(root, path, Get(root, From(operation))?.DeepClone()); break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), operation["value"]))
                        throw new JsonPatchException($"testing value {path} failed");
                    break;
                default: throw new JsonPatchException($"unknown op \"{kind}\"");
            }
        }
        return root;
    }

    private static JsonNode? Value(JsonObject operation) =>
        operation.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw new JsonPatchException("operation without \"value\"");

    private static string From(JsonObject operation) =>
        operation["from"]?.GetValue<string>() ?? throw new JsonPatchException("operation without \"from\"");

    private static string[] Segments(string path)
    {
        if (path.Length == 0) return [];
        if (path[0] != '/') throw new JsonPatchException($"path \"{path}\" must start with /");
        return path[1..].Split('/').Select(s => s.Replace("~1", "/").Replace("~0", "~")).ToArray();
    }

    private static JsonNode? Get(JsonNode root, string path)
    {
        JsonNode? node = root;
        foreach (var segment in Segments(path)) node = Child(node, segment, path);
        return node;
    }

    private static JsonNode? Child(JsonNode? node, string segment, string path) => node switch
    {
        JsonObject obj when obj.TryGetPropertyValue(segment, out var child) => child,
        JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < array.Count => array[i],
        _ => throw new JsonPatchException($"path \"{path}\" does not exist"),
    };

    private static JsonNode Add(JsonNode root, string path, JsonNode? value)
    {
        if (path.Length == 0) return value ?? throw new JsonPatchException("cannot replace the document with null");
        var (parent, last) = Locate(root, path);
        switch (parent)
        {
            case JsonObject obj: obj[last] = value; break;
            case JsonArray array when last == "-": array.Add(value); break;
            case JsonArray array when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= array.Count:
                array.Insert(i, value); break;
            default: throw new JsonPatchException($"cannot add at \"{path}\"");
        }
        return root;
    }

    private static void Remove(JsonNode root, string path)
    {
        if (path.Length == 0) throw new JsonPatchException("cannot remove the whole document");
        var (parent, last) = Locate(root, path);
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(last): obj.Remove(last); break;
            case JsonArray array when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < array.Count:
                array.RemoveAt(i); break;
            default: throw new JsonPatchException($"path \"{path}\" does not exist");
        }
    }

    /// <summary>The container a path points into, and the last segment within it.</summary>
    private static (JsonNode? Parent, string Last) Locate(JsonNode root, string path)
    {
        var segments = Segments(path);
        JsonNode? node = root;
        foreach (var segment in segments[..^1]) node = Child(node, segment, path);
        return (node, segments[^1]);
    }
}

public sealed class JsonPatchException(string message) : Exception(message);
