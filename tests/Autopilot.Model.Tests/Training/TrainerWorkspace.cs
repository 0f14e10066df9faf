using System.Text.Json;
using Autopilot.InferencePool.Engine.TinyModels;

namespace Autopilot.Model.Tests.Training;

/// <summary>An example as the trainer reads it: token ids and how many of them are prompt.</summary>
public sealed record TokenExample(int[] Tokens, int Prompt);

/// <summary>A temp folder with generated llama GGUFs and JSON-lines data files; deleted when disposed.</summary>
public sealed class TrainerWorkspace : IDisposable
{
    /// <summary>The smoke-test shape: 2 blocks, 64 wide, 4 heads, a 354-token byte vocabulary.</summary>
    public static readonly TinyModelSpec Small = new(Layers: 2, Embedding: 64, Heads: 4, KvHeads: 4, FeedForward: 128, ContextLength: 128);

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("autopilot-trainer-tests-").FullName;

    public string File(string name) => Path.Combine(Directory, name);

    public string Model(TinyModelSpec spec, string name = "init.gguf")
    {
        var path = File(name);
        TinyModel.Write(path, spec);
        return path;
    }

    public string Data(string name, IEnumerable<TokenExample> examples)
    {
        var path = File(name);
        System.IO.File.WriteAllLines(path, examples.Select(e => JsonSerializer.Serialize(new { tokens = e.Tokens, prompt = e.Prompt })));
        return path;
    }

    /// <summary>Random byte-token examples of varying length and prompt split (BOS first, EOS last).</summary>
    public static List<TokenExample> RandomExamples(int count, int seed, int minLength = 6, int maxLength = 30)
    {
        var random = new Random(seed);
        var examples = new List<TokenExample>();
        for (var i = 0; i < count; i++)
        {
            var length = random.Next(minLength, maxLength + 1);
            var tokens = new int[length];
            tokens[0] = TinyModel.BosId;
            for (var t = 1; t < length - 1; t++) tokens[t] = 3 + random.Next(256);
            tokens[^1] = TinyModel.EosId;
            examples.Add(new TokenExample(tokens, random.Next(1, length - 1)));
        }
        return examples;
    }

    /// <summary>
    /// A pattern a model learns in a few dozen steps: a short prompt naming one of four cycles, answered by that
    /// cycle of tokens repeated.
    /// </summary>
    public static List<TokenExample> PatternExamples(int count)
    {
        var examples = new List<TokenExample>();
        for (var i = 0; i < count; i++)
        {
            var cycle = i % 4;
            var tokens = new List<int> { TinyModel.BosId, 100 + cycle };
            for (var repeat = 0; repeat < 4; repeat++)
                for (var step = 0; step < 3; step++) tokens.Add(40 + cycle * 3 + step);
            tokens.Add(TinyModel.EosId);
            examples.Add(new TokenExample([.. tokens], Prompt: 2));
        }
        return examples;
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
