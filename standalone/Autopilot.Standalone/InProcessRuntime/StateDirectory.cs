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
/// A file that cannot be read (bad JSON, a truncated write from outside, no permission) is moved into
/// <see cref="QuarantineArea"/> and read as absent, so only its own key starts afresh and every other key keeps working;
/// the file stays there for an operator to inspect and delete (readiness says so while it is there).
/// </summary>
public sealed class StateDirectory
{
    public const string QuarantineArea = "quarantine";

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

    /// <summary>Raised after a file that could not be read was moved into the quarantine folder.</summary>
    public event Action<QuarantinedFile>? Quarantined;

    /// <summary>The value in <paramref name="path"/>, or null when there is none or it could not be read (then the file
    /// is quarantined). <paramref name="cache"/> false reads around the in-memory copy and keeps none (the journal's
    /// closed incidents, which must not stay in memory).</summary>
    public async Task<T?> ReadAsync<T>(string path, CancellationToken ct, bool cache = true) where T : class
    {
        if (cache && _cache.TryGetValue(path, out var cached) && cached is T known) return known;
        try
        {
            T? value;
            await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 16 * 1024, useAsync: true))
                value = await JsonSerializer.DeserializeAsync<T>(stream, Json, ct);
            if (cache && value is not null) _cache[path] = value;
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
        catch (Exception e) when (IsUnreadable(e))
        {
            Quarantine(path, $"not readable as {typeof(T).Name}: {e.GetType().Name}: {e.Message}");
            return null;
        }
    }

    /// <summary>What a broken file throws (bad or truncated JSON, values a record refuses, no permission); an
    /// interrupted read or a missing file is not a broken file.</summary>
    private static bool IsUnreadable(Exception e) => e is JsonException or ArgumentException or FormatException or UnauthorizedAccessException;

    /// <summary>Moves <paramref name="path"/> to quarantine/&lt;UTC time&gt;-&lt;area&gt;-&lt;file&gt;; another reader
    /// that got there first has already moved it.</summary>
    public void Quarantine(string path, string reason)
    {
        _cache.TryRemove(path, out _);
        var parent = Path.GetDirectoryName(path)!;
        var area = parent == Root ? "" : Path.GetFileName(parent) + "-";
        var name = $"{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss.fff'Z'}-{area}{Path.GetFileName(path)}";
        var target = Path.Combine(Root, QuarantineArea, name);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (File.Exists(target)) target = Path.Combine(Root, QuarantineArea, $"{Guid.NewGuid():N}-{name}");
        try
        {
            File.Move(path, target);
        }
        catch (FileNotFoundException)
        {
            return;
        }
        Quarantined?.Invoke(new QuarantinedFile(path, target, reason));
    }

    /// <summary>Files waiting in the quarantine folder for an operator, relative to <see cref="Root"/>.</summary>
    public IReadOnlyList<string> QuarantinedFiles()
    {
        var directory = Path.Combine(Root, QuarantineArea);
        return Directory.Exists(directory)
            ? [.. Directory.EnumerateFiles(directory).Select(f => Path.GetRelativePath(Root, f)).Order(StringComparer.Ordinal)]
            : [];
    }

    public async Task WriteAsync<T>(string path, T value, CancellationToken ct, bool cache = true)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Environment.CurrentManagedThreadId}.{Guid.NewGuid():N}.tmp";
        await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 16 * 1024, useAsync: true))
        {
            await JsonSerializer.SerializeAsync(stream, value, Json, ct);
            if (FlushToDisk) stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
        if (!cache) _cache.TryRemove(path, out _);
        else if (value is not null) _cache[path] = value;
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

/// <summary>A state file moved aside because it could not be read: where it was, where it is now, and why.</summary>
public sealed record QuarantinedFile(string Path, string MovedTo, string Reason);
