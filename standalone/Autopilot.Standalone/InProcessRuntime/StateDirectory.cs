using System.Collections.Concurrent;
using System.Text.Json;
using Autopilot.Remediation.Incidents;

namespace Autopilot.Standalone.InProcessRuntime;

/// <summary>
/// The stand-alone host's state on local disk (the role of Dapr's actor state store): one JSON file per key,
/// written to a temporary file and renamed over the old one, so a crash leaves the old or the new state, never half.
/// Like the Dapr actor state manager, it keeps what it last read or wrote per key in memory and reads the disk only
/// the first time: every alert loads its incident's state, and parsing a growing JSON file per alert cost a quarter of
/// the CPU in an alert storm. The cached values are immutable records, so a caller cannot change them in place.
/// </summary>
public sealed class StateDirectory
{
    private readonly ConcurrentDictionary<string, object> _cache = new(StringComparer.Ordinal);

    public StateDirectory(string root, bool flushToDisk = true)
    {
        Root = Path.GetFullPath(root);
        FlushToDisk = flushToDisk;
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>fsync every write (durable across power loss); off only for benchmarks on throwaway state.</summary>
    public bool FlushToDisk { get; }

    public static JsonSerializerOptions Json => IncidentStateJson.Options;

    public string PathFor(string area, string key) => Path.Combine(Root, area, Uri.EscapeDataString(key) + ".json");

    public async Task<T?> ReadAsync<T>(string path, CancellationToken ct) where T : class
    {
        if (_cache.TryGetValue(path, out var cached) && cached is T known) return known;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 16 * 1024, useAsync: true);
            var value = await JsonSerializer.DeserializeAsync<T>(stream, Json, ct);
            if (value is not null) _cache[path] = value;
            return value;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"State file {path} is not valid JSON of {typeof(T).Name}: {e.Message}. Move it away to start that key afresh.", e);
        }
    }

    public async Task WriteAsync<T>(string path, T value, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Environment.CurrentManagedThreadId}.{Guid.NewGuid():N}.tmp";
        await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 16 * 1024, useAsync: true))
        {
            await JsonSerializer.SerializeAsync(stream, value, Json, ct);
            if (FlushToDisk) stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        if (value is not null) _cache[path] = value;
    }

    public void Delete(string path)
    {
        _cache.TryRemove(path, out _);
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public IEnumerable<string> Files(string area)
    {
        var directory = Path.Combine(Root, area);
        return Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*.json") : [];
    }
}
