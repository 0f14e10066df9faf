using System.Text.Json;
using Autopilot.Remediation.Incidents;

namespace Autopilot.Standalone.Actors;

/// <summary>
/// The stand-alone host's state on local disk (the role of Dapr's actor state store): one JSON file per key,
/// written to a temporary file and renamed over the old one, so a crash leaves the old or the new state, never half.
/// </summary>
public sealed class StateDirectory
{
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
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 16 * 1024, useAsync: true);
            return await JsonSerializer.DeserializeAsync<T>(stream, Json, ct);
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
    }

    public void Delete(string path)
    {
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
