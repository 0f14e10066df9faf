using System.Text;

namespace Autopilot.InferencePool.Engine.TinyModels;

/// <summary>
/// Writes GGUF v3 files: header, metadata key/values, tensor infos, then 32-byte aligned F32 tensor data.
/// Only what a llama-architecture model needs; tensor dimensions are in ggml order (innermost first).
/// </summary>
public sealed class GgufWriter
{
    public const int Alignment = 32;

    private enum ValueType : uint { UInt32 = 4, Int32 = 5, Float32 = 6, Bool = 7, String = 8, Array = 9 }

    private readonly List<(string Key, Action<BinaryWriter> Write)> _metadata = [];
    private readonly List<(string Name, ulong[] Dims, Func<float[]> Data)> _tensors = [];

    public void Add(string key, string value) => _metadata.Add((key, w => { Type(w, ValueType.String); Str(w, value); }));
    public void Add(string key, uint value) => _metadata.Add((key, w => { Type(w, ValueType.UInt32); w.Write(value); }));
    public void Add(string key, float value) => _metadata.Add((key, w => { Type(w, ValueType.Float32); w.Write(value); }));
    public void Add(string key, bool value) => _metadata.Add((key, w => { Type(w, ValueType.Bool); w.Write((byte)(value ? 1 : 0)); }));

    public void Add(string key, IReadOnlyList<string> values) => _metadata.Add((key, w =>
    {
        Type(w, ValueType.Array); Type(w, ValueType.String); w.Write((ulong)values.Count);
        foreach (var v in values) Str(w, v);
    }));

    public void Add(string key, IReadOnlyList<float> values) => _metadata.Add((key, w =>
    {
        Type(w, ValueType.Array); Type(w, ValueType.Float32); w.Write((ulong)values.Count);
        foreach (var v in values) w.Write(v);
    }));

    public void Add(string key, IReadOnlyList<int> values) => _metadata.Add((key, w =>
    {
        Type(w, ValueType.Array); Type(w, ValueType.Int32); w.Write((ulong)values.Count);
        foreach (var v in values) w.Write(v);
    }));

    /// <summary>The llama hyperparameters llama.cpp reads to build the graph (RoPE over the whole head).</summary>
    public void AddLlamaShape(int contextLength, int embedding, int layers, int feedForward, int heads, int kvHeads)
    {
        Add("llama.context_length", (uint)contextLength);
        Add("llama.embedding_length", (uint)embedding);
        Add("llama.block_count", (uint)layers);
        Add("llama.feed_forward_length", (uint)feedForward);
        Add("llama.attention.head_count", (uint)heads);
        Add("llama.attention.head_count_kv", (uint)kvHeads);
        Add("llama.rope.dimension_count", (uint)(embedding / heads));
    }

    /// <summary>A tensor whose data is produced when written, so large models never sit in memory twice.</summary>
    public void AddTensor(string name, ulong[] dims, Func<float[]> data) => _tensors.Add((name, dims, data));

    public void Write(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Encoding.ASCII.GetBytes("GGUF"));
        w.Write(3u);
        w.Write((ulong)_tensors.Count);
        w.Write((ulong)_metadata.Count);
        foreach (var (key, write) in _metadata)
        {
            Str(w, key);
            write(w);
        }

        ulong offset = 0;
        foreach (var (name, dims, _) in _tensors)
        {
            Str(w, name);
            w.Write((uint)dims.Length);
            foreach (var d in dims) w.Write(d);
            w.Write(0u); // GGML_TYPE_F32
            w.Write(offset);
            offset = Align(offset + ElementCount(dims) * sizeof(float));
        }

        Pad(w);
        foreach (var (name, dims, data) in _tensors)
        {
            var values = data();
            if ((ulong)values.Length != ElementCount(dims))
                throw new InvalidOperationException($"Tensor {name} has {values.Length} values, its dimensions need {ElementCount(dims)}.");
            var bytes = new byte[values.Length * sizeof(float)];
            Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            w.Write(bytes);
            Pad(w);
        }
    }

    private static ulong ElementCount(ulong[] dims) => dims.Aggregate(1UL, (a, d) => a * d);
    private static ulong Align(ulong n) => (n + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter w)
    {
        w.Flush();
        var position = (ulong)w.BaseStream.Position;
        var padding = (int)(Align(position) - position);
        if (padding > 0) w.Write(new byte[padding]);
    }

    private static void Type(BinaryWriter w, ValueType type) => w.Write((uint)type);

    private static void Str(BinaryWriter w, string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }
}
