using System.Runtime.InteropServices;
using System.Text;

namespace Autopilot.Training;

/// <summary>One tensor of a GGUF file: dimensions in ggml order (innermost first) and where its data starts.</summary>
internal sealed record GgufTensorInfo(string Name, long[] Dimensions, uint Type, long DataOffset)
{
    public const uint F32 = 0;

    public long ElementCount => Dimensions.Aggregate(1L, (product, d) => product * d);
}

/// <summary>
/// Reads what the trainer needs from a GGUF (v2/v3, little-endian) file: scalar metadata, tensor infos and F32 tensor
/// data. Array metadata (the tokenizer) is skipped, not kept: the trainer works on token ids only.
/// </summary>
internal sealed class GgufFile
{
    private const uint Magic = 0x46554747; // "GGUF"
    private const long DefaultAlignment = 32;

    private enum ValueType : uint
    {
        UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6, Bool = 7, String = 8,
        Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12,
    }

    private readonly Dictionary<string, object> _metadata = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GgufTensorInfo> _tensors = new(StringComparer.Ordinal);

    public string Path { get; }
    public IReadOnlyDictionary<string, GgufTensorInfo> Tensors => _tensors;

    private GgufFile(string path) => Path = path;

    public static GgufFile Open(string path)
    {
        if (!File.Exists(path)) throw new TrainerException($"Model file not found: {path}");
        var file = new GgufFile(path);
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            file.ReadHeader(reader, stream.Length);
        }
        catch (EndOfStreamException)
        {
            throw new TrainerException($"{path} is truncated: its GGUF header ends early.");
        }
        return file;
    }

    /// <summary>A numeric metadata value (any integer or float type), or null when the key is absent.</summary>
    public double? Number(string key) => _metadata.TryGetValue(key, out var value) && value is double number ? number : null;

    public string? Text(string key) => _metadata.TryGetValue(key, out var value) ? value as string : null;

    /// <summary>The F32 data of <paramref name="tensor"/>.</summary>
    public float[] ReadF32(GgufTensorInfo tensor)
    {
        if (tensor.Type != GgufTensorInfo.F32)
            throw new TrainerException($"Tensor {tensor.Name} in {Path} is ggml type {tensor.Type}; the trainer needs F32 (type 0).");
        var values = new float[tensor.ElementCount];
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read);
        stream.Position = tensor.DataOffset;
        stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private void ReadHeader(BinaryReader reader, long fileLength)
    {
        if (reader.ReadUInt32() != Magic) throw new TrainerException($"{Path} is not a GGUF file.");
        var version = reader.ReadUInt32();
        if (version is < 2 or > 3) throw new TrainerException($"{Path} is GGUF version {version}; versions 2 and 3 are supported.");
        var tensorCount = checked((long)reader.ReadUInt64());
        var metadataCount = checked((long)reader.ReadUInt64());

        for (long i = 0; i < metadataCount; i++)
        {
            var key = ReadString(reader);
            var value = ReadValue(reader, (ValueType)reader.ReadUInt32());
            if (value is not null) _metadata[key] = value;
        }

        var infos = new List<(string Name, long[] Dims, uint Type, long Offset)>();
        for (long i = 0; i < tensorCount; i++)
        {
            var name = ReadString(reader);
            var dims = new long[reader.ReadUInt32()];
            for (var d = 0; d < dims.Length; d++) dims[d] = checked((long)reader.ReadUInt64());
            var type = reader.ReadUInt32();
            var offset = checked((long)reader.ReadUInt64());
            infos.Add((name, dims, type, offset));
        }

        var alignment = (long)(Number("general.alignment") ?? DefaultAlignment);
        var dataStart = (reader.BaseStream.Position + alignment - 1) / alignment * alignment;
        foreach (var (name, dims, type, offset) in infos)
        {
            var info = new GgufTensorInfo(name, dims, type, dataStart + offset);
            if (type == GgufTensorInfo.F32 && info.DataOffset + info.ElementCount * sizeof(float) > fileLength)
                throw new TrainerException($"{Path} is truncated: tensor {name} ends past the end of the file.");
            _tensors[name] = info;
        }
    }

    /// <summary>Scalars become double (numbers), bool or string; arrays are skipped and return null.</summary>
    private static object? ReadValue(BinaryReader reader, ValueType type)
    {
        switch (type)
        {
            case ValueType.UInt8: return (double)reader.ReadByte();
            case ValueType.Int8: return (double)reader.ReadSByte();
            case ValueType.UInt16: return (double)reader.ReadUInt16();
            case ValueType.Int16: return (double)reader.ReadInt16();
            case ValueType.UInt32: return (double)reader.ReadUInt32();
            case ValueType.Int32: return (double)reader.ReadInt32();
            case ValueType.Float32: return (double)reader.ReadSingle();
            case ValueType.UInt64: return (double)reader.ReadUInt64();
            case ValueType.Int64: return (double)reader.ReadInt64();
            case ValueType.Float64: return reader.ReadDouble();
            case ValueType.Bool: return reader.ReadByte() != 0;
            case ValueType.String: return ReadString(reader);
            case ValueType.Array:
                var elementType = (ValueType)reader.ReadUInt32();
                var count = checked((long)reader.ReadUInt64());
                for (long i = 0; i < count; i++) ReadValue(reader, elementType);
                return null;
            default:
                throw new TrainerException($"Unknown GGUF metadata value type {(uint)type}.");
        }
    }

    private static string ReadString(BinaryReader reader)
    {
        var length = checked((int)reader.ReadUInt64());
        return Encoding.UTF8.GetString(reader.ReadBytes(length));
    }
}
