using System.Text;

namespace Autopilot.InferencePool.Engine.Models;

/// <summary>What the pool needs from a GGUF header before loading the weights.</summary>
public sealed record GgufInfo(uint Version, IReadOnlyDictionary<string, object> Metadata, int TensorCount, long ExpectedLength)
{
    public string Architecture => Metadata.TryGetValue("general.architecture", out var a) ? (string)a : "?";
    public string Name => Metadata.TryGetValue("general.name", out var n) ? (string)n : Architecture;
    public string? ChatTemplate => Metadata.TryGetValue("tokenizer.chat_template", out var t) ? t as string : null;

    public long? Number(string key) => Metadata.TryGetValue($"{Architecture}.{key}", out var v) ? v switch
    {
        uint u => u, int i => i, ulong ul => (long)ul, long l => l, ushort us => us, short s => s, byte b => b, sbyte sb => sb,
        _ => null,
    } : null;
}

/// <summary>
/// Reads and checks a GGUF file's header (metadata and tensor table) so a missing, foreign, truncated or corrupt model
/// file is reported with a clear reason at start-up instead of a native load failure.
/// </summary>
public static class GgufFile
{
    /// <summary>Null when the file looks like a complete GGUF model, else why not.</summary>
    public static string? Check(string path)
    {
        try
        {
            Read(path);
            return null;
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }
    }

    /// <exception cref="InvalidDataException">Missing, unreadable, not GGUF, or truncated.</exception>
    public static GgufInfo Read(string path)
    {
        if (Directory.Exists(path)) throw new InvalidDataException("it is a directory, not a GGUF file.");
        if (!File.Exists(path)) throw new InvalidDataException("the file does not exist.");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            return ReadHeader(reader, stream.Length);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("the file ends inside its GGUF header (truncated or corrupt).");
        }
        catch (IOException e) when (e is not EndOfStreamException)
        {
            throw new InvalidDataException($"the file cannot be read: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidDataException($"the file cannot be read: {e.Message}");
        }
    }

    private static GgufInfo ReadHeader(BinaryReader r, long length)
    {
        if (length < 24 || Encoding.ASCII.GetString(r.ReadBytes(4)) != "GGUF")
            throw new InvalidDataException("it is not a GGUF file (the first bytes are not 'GGUF'); convert the model to GGUF with llama.cpp.");
        var version = r.ReadUInt32();
        if (version is < 2 or > 3) throw new InvalidDataException($"GGUF version {version} is not supported (2 or 3 are).");
        var tensorCount = r.ReadUInt64();
        var kvCount = r.ReadUInt64();
        if (tensorCount > 1_000_000 || kvCount > 1_000_000)
            throw new InvalidDataException($"the header claims {tensorCount} tensors and {kvCount} metadata entries (corrupt).");

        var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
        for (ulong i = 0; i < kvCount; i++)
        {
            var key = ReadString(r, length);
            var value = ReadValue(r, r.ReadUInt32(), length);
            if (value is not null) metadata[key] = value;
        }

        var alignment = metadata.TryGetValue("general.alignment", out var a) && a is uint u && u > 0 ? u : 32u;
        long dataSize = 0;
        var sizeKnown = true;
        for (ulong i = 0; i < tensorCount; i++)
        {
            ReadString(r, length);
            var dims = r.ReadUInt32();
            if (dims > 8) throw new InvalidDataException($"a tensor claims {dims} dimensions (corrupt header).");
            long elements = 1;
            long inner = 0;
            for (var d = 0; d < dims; d++)
            {
                var n = checked((long)r.ReadUInt64());
                if (d == 0) inner = n;
                elements = checked(elements * n);
            }
            var type = r.ReadUInt32();
            var offset = checked((long)r.ReadUInt64());
            if (TensorBytes(type, elements, inner) is { } bytes) dataSize = Math.Max(dataSize, offset + bytes);
            else sizeKnown = false;
        }

        var dataStart = (r.BaseStream.Position + alignment - 1) / alignment * alignment;
        var expected = dataStart + dataSize;
        if (sizeKnown && length < expected)
            throw new InvalidDataException($"the file is truncated: its tensors need {expected:N0} bytes but the file has {length:N0}.");
        return new GgufInfo(version, metadata, (int)tensorCount, expected);
    }

    private static string ReadString(BinaryReader r, long length)
    {
        var size = r.ReadUInt64();
        if (size > (ulong)Math.Min(length, 64 << 20)) throw new InvalidDataException($"a header string claims {size} bytes (corrupt header).");
        return Encoding.UTF8.GetString(r.ReadBytes((int)size));
    }

    // Scalars and strings are kept; arrays are skipped (the vocabulary is large and the pool does not need it here).
    private static object? ReadValue(BinaryReader r, uint type, long length) => type switch
    {
        0 => r.ReadByte(), 1 => r.ReadSByte(), 2 => r.ReadUInt16(), 3 => r.ReadInt16(), 4 => r.ReadUInt32(), 5 => r.ReadInt32(),
        6 => r.ReadSingle(), 7 => r.ReadByte() != 0, 8 => ReadString(r, length), 10 => r.ReadUInt64(), 11 => r.ReadInt64(),
        12 => r.ReadDouble(),
        9 => SkipArray(r, length),
        _ => throw new InvalidDataException($"unknown metadata value type {type} (corrupt header)."),
    };

    private static object? SkipArray(BinaryReader r, long length)
    {
        var elementType = r.ReadUInt32();
        var count = r.ReadUInt64();
        if (count > (ulong)length) throw new InvalidDataException($"a metadata array claims {count} elements (corrupt header).");
        for (ulong i = 0; i < count; i++) ReadValue(r, elementType, length);
        return null;
    }

    // ggml type → (elements per block, bytes per block); unknown types skip the truncation check rather than fail.
    private static long? TensorBytes(uint type, long elements, long inner)
    {
        (int Block, int Bytes)? layout = type switch
        {
            0 => (1, 4), 1 => (1, 2), 30 => (1, 2), 24 => (1, 1), 25 => (1, 2), 26 => (1, 4), 27 => (1, 8), 28 => (1, 8),
            2 => (32, 18), 3 => (32, 20), 6 => (32, 22), 7 => (32, 24), 8 => (32, 34), 9 => (32, 36),
            10 => (256, 84), 11 => (256, 110), 12 => (256, 144), 13 => (256, 176), 14 => (256, 210), 15 => (256, 292),
            16 => (256, 66), 17 => (256, 74), 18 => (256, 98), 19 => (256, 50), 20 => (32, 18), 21 => (256, 110),
            22 => (256, 82), 23 => (256, 136), 29 => (256, 56),
            _ => null,
        };
        if (layout is not { } l || inner % l.Block != 0) return null;
        return elements / l.Block * l.Bytes;
    }
}
