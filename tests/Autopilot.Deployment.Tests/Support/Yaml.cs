using Autopilot.Testing;
using YamlDotNet.RepresentationModel;

namespace Autopilot.Deployment.Tests.Support;

/// <summary>
/// YAML as plain data: mappings become <see cref="Map"/> (insertion-ordered), sequences <see cref="List{T}"/> of
/// object, scalars strings (YAML 1.1 typing is left to the caller, as Kubernetes and Dapr do per field).
/// </summary>
public static class Yaml
{
    public static IReadOnlyList<Map> LoadDocuments(string path)
    {
        using var reader = new StreamReader(path);
        return Load(reader, Repo.Relative(path));
    }

    /// <summary>Every document of YAML text (e.g. a command's output); <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyList<Map> LoadText(string text, string source)
    {
        using var reader = new StringReader(text);
        return Load(reader, source);
    }

    private static List<Map> Load(TextReader reader, string source)
    {
        var stream = new YamlStream();
        try { stream.Load(reader); }
        catch (YamlDotNet.Core.YamlException e) { throw new InvalidDataException($"{source}: {e.Message}", e); }
        var documents = new List<Map>();
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is YamlScalarNode { Value: null or "" }) continue;
            documents.Add(ToData(document.RootNode) as Map
                ?? throw new InvalidDataException($"{source}: a document is not a mapping"));
        }
        return documents;
    }

    public static Map LoadSingle(string path)
    {
        var documents = LoadDocuments(path);
        return documents.Count == 1
            ? documents[0]
            : throw new InvalidDataException($"{Repo.Relative(path)}: expected one YAML document, found {documents.Count}");
    }

    private static object? ToData(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new Map(mapping.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", ToData(c.Value)))),
        YamlSequenceNode sequence => sequence.Children.Select(ToData).ToList(),
        YamlScalarNode scalar => scalar.Value,
        _ => throw new InvalidDataException($"Unsupported YAML node {node.NodeType} at {node.Start}"),
    };
}

/// <summary>A YAML mapping with typed, path-based access that names the missing key on failure.</summary>
public sealed class Map : Dictionary<string, object?>
{
    public Map() : base(StringComparer.Ordinal) { }

    public Map(IEnumerable<KeyValuePair<string, object?>> pairs) : base(StringComparer.Ordinal)
    {
        foreach (var (key, value) in pairs) Add(key, value);
    }

    public object? Find(params string[] path)
    {
        object? current = this;
        foreach (var key in path)
        {
            if (current is not Map map || !map.TryGetValue(key, out current)) return null;
        }
        return current;
    }

    public string? Str(params string[] path) => Find(path) as string;

    public string Required(params string[] path) =>
        Str(path) ?? throw new KeyNotFoundException($"{Describe()}: no string at '{string.Join('.', path)}'");

    public Map? MapAt(params string[] path) => Find(path) as Map;

    public Map RequiredMap(params string[] path) =>
        MapAt(path) ?? throw new KeyNotFoundException($"{Describe()}: no mapping at '{string.Join('.', path)}'");

    public IReadOnlyList<object?> ListAt(params string[] path) => Find(path) as List<object?> ?? [];

    public IReadOnlyList<Map> MapsAt(params string[] path) => ListAt(path).OfType<Map>().ToList();

    public IReadOnlyList<string> StringsAt(params string[] path) => ListAt(path).OfType<string>().ToList();

    public string Kind => Str("kind") ?? "";
    public string Name => Str("metadata", "name") ?? "";
    public string? Namespace => Str("metadata", "namespace");

    /// <summary>"Kind namespace/name" for messages.</summary>
    public string Describe() => Kind.Length == 0 ? "(mapping)" : $"{Kind} {(Namespace is null ? "" : Namespace + "/")}{Name}";

    public Map DeepClone() => (Map)CloneValue(this)!;

    private static object? CloneValue(object? value) => value switch
    {
        Map map => new Map(map.Select(p => KeyValuePair.Create(p.Key, CloneValue(p.Value)))),
        List<object?> list => list.Select(CloneValue).ToList(),
        _ => value,
    };
}
