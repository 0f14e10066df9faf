namespace Autopilot.InferencePool.Engine.TinyModels;

/// <summary>
/// Shape of a generated llama-architecture model. <see cref="Smoke"/> is the sub-megabyte model for tests and the
/// stand-alone demo; <see cref="Bench"/> is wide and deep enough (tens of MB of weights) that decoding is bound by
/// memory bandwidth, as it is for a 7B model, so batching shows its real effect.
/// </summary>
public sealed record TinyModelSpec(
    int Layers = 2,
    int Embedding = 64,
    int Heads = 4,
    int KvHeads = 4,
    int FeedForward = 128,
    int ContextLength = 32768,
    int Seed = 20261124,
    string Name = "autopilot-tiny")
{
    public static TinyModelSpec Smoke { get; } = new();

    public static TinyModelSpec Bench { get; } = new(Layers: 6, Embedding: 512, Heads: 8, KvHeads: 8, FeedForward: 1536,
        ContextLength: 32768, Name: "autopilot-bench");

    /// <summary>A file name that changes whenever the shape does, so cached files are never stale.</summary>
    public string FileName =>
        $"{Name}-l{Layers}-e{Embedding}-h{Heads}-kv{KvHeads}-ff{FeedForward}-c{ContextLength}-s{Seed}-v{TinyModel.FormatVersion}.gguf";

    public void Validate()
    {
        if (Layers < 1) throw new ArgumentOutOfRangeException(nameof(Layers), Layers, "at least 1 layer");
        if (Heads < 1 || Embedding % Heads != 0)
            throw new ArgumentOutOfRangeException(nameof(Heads), Heads, $"must divide Embedding ({Embedding})");
        if (KvHeads < 1 || Heads % KvHeads != 0)
            throw new ArgumentOutOfRangeException(nameof(KvHeads), KvHeads, $"must divide Heads ({Heads})");
        if ((Embedding / Heads) % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(Embedding), Embedding, "head size (Embedding / Heads) must be even for RoPE");
        if (FeedForward < 1) throw new ArgumentOutOfRangeException(nameof(FeedForward), FeedForward, "must be positive");
        if (ContextLength < 16) throw new ArgumentOutOfRangeException(nameof(ContextLength), ContextLength, "at least 16");
    }
}
