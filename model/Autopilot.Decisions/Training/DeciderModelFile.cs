using Autopilot.InferencePool.Engine.TinyModels;

namespace Autopilot.Decisions.Training;

/// <summary>The shape of the default decision model: a small llama; all F32 because ggml-opt trains F32 weights.
/// ContextLength is what a pool session may hold (prompt ≤ 400 tokens and the answer need far less); positions are
/// relative (RoPE) and every example starts at position 0, as each plan does.</summary>
public sealed record DeciderShape(int Layers = 4, int Embedding = 256, int Heads = 4, int FeedForward = 512, int ContextLength = 2048)
{
    public long Parameters(int vocabulary) =>
        2L * Embedding * vocabulary + Embedding + Layers * (4L * Embedding * Embedding + 3L * Embedding * FeedForward + 2L * Embedding);
}

/// <summary>
/// Writes the untrained default model: llama architecture, the learned vocabulary, a ChatML chat template in
/// tokenizer.chat_template (so the pool reads the format from the file through llama.cpp's template support), and
/// small Gaussian weights from a fixed seed. The trainer then writes trained weights into this very layout.
/// </summary>
public static class DeciderModelFile
{
    public const string Name = "autopilot-decider";

    /// <summary>ChatML, the format llama.cpp recognises from this template text.</summary>
    public const string ChatTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    public static void Write(string path, DeciderVocabulary vocabulary, DeciderShape shape, int seed)
    {
        var tokens = vocabulary.Tokens;
        var gguf = new GgufWriter();
        gguf.Add("general.architecture", "llama");
        gguf.Add("general.name", Name);
        gguf.Add("general.alignment", (uint)GgufWriter.Alignment);
        gguf.Add("general.file_type", 0u);
        gguf.AddLlamaShape(shape.ContextLength, shape.Embedding, shape.Layers, shape.FeedForward, shape.Heads, shape.Heads);
        gguf.Add("llama.rope.freq_base", 10000f);
        gguf.Add("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        gguf.Add("llama.vocab_size", (uint)tokens.Count);
        gguf.Add("tokenizer.ggml.model", "llama");
        gguf.Add("tokenizer.ggml.tokens", tokens.Select(t => t.Piece).ToList());
        gguf.Add("tokenizer.ggml.scores", tokens.Select(t => t.Score).ToList());
        gguf.Add("tokenizer.ggml.token_type", tokens.Select(t => t.Type).ToList());
        gguf.Add("tokenizer.ggml.unknown_token_id", (uint)vocabulary.IdOf(DeciderVocabulary.Unknown));
        gguf.Add("tokenizer.ggml.bos_token_id", (uint)vocabulary.IdOf(DeciderVocabulary.Bos));
        // The answer ends with ChatML's end-of-message marker: it is the token that ends generation.
        gguf.Add("tokenizer.ggml.eos_token_id", (uint)vocabulary.IdOf(DeciderVocabulary.ImEnd));
        gguf.Add("tokenizer.ggml.add_bos_token", true);
        gguf.Add("tokenizer.ggml.add_eos_token", false);
        // No implicit leading space: the prefix and the rest are tokenized separately and must not gain one each.
        gguf.Add("tokenizer.ggml.add_space_prefix", false);
        gguf.Add("tokenizer.chat_template", ChatTemplate);

        var random = new Random(seed);
        var e = (ulong)shape.Embedding;
        var ff = (ulong)shape.FeedForward;
        var v = (ulong)tokens.Count;
        const float std = 0.02f;
        var projection = std / MathF.Sqrt(2 * shape.Layers);
        // Values are drawn as the file is written, in tensor order, so the same seed gives the same file.
        void Normal(string name, ulong inner, ulong outer, float scale) =>
            gguf.AddTensor(name, [inner, outer], () => Gaussian(random, checked((int)(inner * outer)), scale));
        void Ones(string name) => gguf.AddTensor(name, [e], () => Enumerable.Repeat(1f, (int)e).ToArray());

        Normal("token_embd.weight", e, v, std);
        Ones("output_norm.weight");
        Normal("output.weight", e, v, std);
        for (var layer = 0; layer < shape.Layers; layer++)
        {
            var block = $"blk.{layer}.";
            Ones(block + "attn_norm.weight");
            Normal(block + "attn_q.weight", e, e, std);
            Normal(block + "attn_k.weight", e, e, std);
            Normal(block + "attn_v.weight", e, e, std);
            Normal(block + "attn_output.weight", e, e, projection);
            Ones(block + "ffn_norm.weight");
            Normal(block + "ffn_gate.weight", e, ff, std);
            Normal(block + "ffn_down.weight", ff, e, projection);
            Normal(block + "ffn_up.weight", e, ff, std);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            gguf.Write(stream);
        File.Move(temp, path, overwrite: true);
    }

    private static float[] Gaussian(Random random, int count, float scale)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            values[i] = (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2)) * scale;
        }
        return values;
    }

    /// <summary>Weight types <see cref="Quantize"/> can write: llama.cpp's names.</summary>
    public static readonly IReadOnlyList<string> WeightTypes = ["q8_0", "f16", "f32"];

    /// <summary>
    /// Writes the trained (f32) model with its weights converted by llama.cpp's own quantizer. q8_0 plans about 15 %
    /// faster on 2 cores (an alert storm is bound by it) at a third of the size, and decides as well on the held-out
    /// split (docs/model.md). "f32" copies the file unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown weight type.</exception>
    /// <exception cref="InvalidOperationException">llama.cpp could not convert the file.</exception>
    public static void Quantize(string trained, string output, string weights)
    {
        if (!WeightTypes.Contains(weights)) throw new ArgumentException($"'{weights}' is not a weight type; valid: {string.Join(", ", WeightTypes)}", nameof(weights));
        if (weights == "f32")
        {
            File.Copy(trained, output, overwrite: true);
            return;
        }
        // LLamaSharp resolves its native library on the first NativeApi call; the quantizer alone does not trigger it.
        LLama.Native.NativeApi.llama_empty_call();
        var temporary = output + ".tmp";
        if (!LLama.LLamaQuantizer.Quantize(trained, temporary, weights, Math.Max(1, Environment.ProcessorCount)))
            throw new InvalidOperationException($"llama.cpp could not convert {trained} to {weights}");
        File.Move(temporary, output, overwrite: true);
    }
}
