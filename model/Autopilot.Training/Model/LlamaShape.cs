namespace Autopilot.Training;

/// <summary>
/// The hyperparameters of a llama-architecture GGUF, read from its metadata and checked against its tensors, so a
/// malformed model fails here with a message instead of as a native assertion deep inside ggml.
/// </summary>
internal sealed record LlamaShape(
    int Embedding,
    int Layers,
    int Heads,
    int KvHeads,
    int FeedForward,
    int ContextLength,
    int VocabularySize,
    int RopeDimensions,
    float RmsEpsilon,
    float RopeFreqBase)
{
    /// <summary>llama.cpp's default when a llama GGUF carries no llama.rope.freq_base.</summary>
    public const float DefaultRopeFreqBase = 10000f;

    public int HeadSize => Embedding / Heads;
    public int KvWidth => HeadSize * KvHeads;

    /// <summary>Every tensor a llama block stack needs, with its expected dimensions in ggml order.</summary>
    public IEnumerable<(string Name, long[] Dimensions)> ExpectedTensors()
    {
        yield return ("token_embd.weight", [Embedding, VocabularySize]);
        yield return ("output_norm.weight", [Embedding]);
        yield return ("output.weight", [Embedding, VocabularySize]);
        for (var layer = 0; layer < Layers; layer++)
        {
            var block = $"blk.{layer}.";
            yield return (block + "attn_norm.weight", [Embedding]);
            yield return (block + "attn_q.weight", [Embedding, Embedding]);
            yield return (block + "attn_k.weight", [Embedding, KvWidth]);
            yield return (block + "attn_v.weight", [Embedding, KvWidth]);
            yield return (block + "attn_output.weight", [Embedding, Embedding]);
            yield return (block + "ffn_norm.weight", [Embedding]);
            yield return (block + "ffn_gate.weight", [Embedding, FeedForward]);
            yield return (block + "ffn_up.weight", [Embedding, FeedForward]);
            yield return (block + "ffn_down.weight", [FeedForward, Embedding]);
        }
    }

    public static LlamaShape Read(GgufFile model)
    {
        var architecture = model.Text("general.architecture");
        if (architecture is not null && architecture != "llama")
            throw new TrainerException($"{model.Path} is a '{architecture}' model; the trainer trains llama-architecture models only.");

        int Required(string key) => (int)(model.Number(key) ?? throw new TrainerException($"{model.Path} has no {key}."));

        var embedding = Required("llama.embedding_length");
        var heads = Required("llama.attention.head_count");
        var kvHeads = (int)(model.Number("llama.attention.head_count_kv") ?? heads);
        if (!model.Tensors.TryGetValue("token_embd.weight", out var embeddings) || embeddings.Dimensions.Length != 2)
            throw new TrainerException($"{model.Path} has no 2-dimensional token_embd.weight.");

        var shape = new LlamaShape(
            Embedding: embedding,
            Layers: Required("llama.block_count"),
            Heads: heads,
            KvHeads: kvHeads,
            FeedForward: Required("llama.feed_forward_length"),
            ContextLength: Required("llama.context_length"),
            VocabularySize: checked((int)embeddings.Dimensions[1]),
            RopeDimensions: (int)(model.Number("llama.rope.dimension_count") ?? (heads > 0 ? embedding / heads : 0)),
            RmsEpsilon: (float)(model.Number("llama.attention.layer_norm_rms_epsilon")
                ?? throw new TrainerException($"{model.Path} has no llama.attention.layer_norm_rms_epsilon.")),
            RopeFreqBase: (float)(model.Number("llama.rope.freq_base") ?? DefaultRopeFreqBase));
        shape.Validate(model);
        return shape;
    }

    private void Validate(GgufFile model)
    {
        void Check(bool ok, string problem)
        {
            if (!ok) throw new TrainerException($"{model.Path}: {problem}");
        }

        Check(Embedding > 0 && Layers > 0 && FeedForward > 0 && VocabularySize > 0, "embedding, block count, feed-forward length and vocabulary must be positive.");
        Check(Heads > 0 && Embedding % Heads == 0, $"head_count {Heads} must divide embedding_length {Embedding}.");
        Check(KvHeads > 0 && Heads % KvHeads == 0, $"head_count_kv {KvHeads} must divide head_count {Heads}.");
        Check(RopeDimensions > 0 && RopeDimensions <= HeadSize && RopeDimensions % 2 == 0,
            $"rope.dimension_count {RopeDimensions} must be even and at most the head size {HeadSize}.");
        Check(Layers <= MaxLayers, $"{Layers} blocks; the trainer's static graphs hold at most {MaxLayers} (ggml-opt's fixed graph size).");
        foreach (var (name, dims) in ExpectedTensors())
        {
            Check(model.Tensors.TryGetValue(name, out var tensor), $"tensor {name} is missing.");
            Check(tensor!.Type == GgufTensorInfo.F32, $"tensor {name} is ggml type {tensor.Type}; the trainer needs F32 weights.");
            Check(tensor.Dimensions.SequenceEqual(dims),
                $"tensor {name} is [{string.Join(", ", tensor.Dimensions)}], the hyperparameters need [{string.Join(", ", dims)}].");
        }
    }

    /// <summary>
    /// ggml_opt_init sizes its graphs at GGML_DEFAULT_GRAPH_SIZE (2048) and copies the optimizer graph (nodes and
    /// leaves) into a context of that many tensors; measured with this graph: 16 blocks train, 17 abort in ggml.
    /// </summary>
    public const int MaxLayers = 16;
}
