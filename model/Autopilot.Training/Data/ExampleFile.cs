using System.Text.Json;

namespace Autopilot.Training;

/// <summary>
/// Reads JSON-lines example files: one <c>{"tokens":[1,57,...],"prompt":123}</c> per line, blank lines ignored; an
/// optional <c>"decision":N</c> names the index of the token that carries the decision (the action), which training
/// can weight above the rest.
/// Every line is checked (ids inside the vocabulary, prompt inside the example) and a bad one is reported by
/// file and line number, because a silently mangled example would train the model on garbage.
/// </summary>
internal static class ExampleFile
{
    public static List<TrainingExample> Read(string path, int vocabularySize)
    {
        if (!File.Exists(path)) throw new TrainerException($"Data file not found: {path}");
        var examples = new List<TrainingExample>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                examples.Add(Parse(line, vocabularySize));
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or OverflowException)
            {
                throw new TrainerException($"{path}:{lineNumber}: {e.Message}");
            }
        }
        return examples;
    }

    private static TrainingExample Parse(string line, int vocabularySize)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new FormatException("expected a JSON object");
        if (!root.TryGetProperty("tokens", out var tokensElement) || tokensElement.ValueKind != JsonValueKind.Array)
            throw new FormatException("\"tokens\" must be an array of token ids");
        if (!root.TryGetProperty("prompt", out var promptElement) || promptElement.ValueKind != JsonValueKind.Number)
            throw new FormatException("\"prompt\" must be the number of prompt tokens");

        var tokens = new int[tokensElement.GetArrayLength()];
        var i = 0;
        foreach (var element in tokensElement.EnumerateArray())
        {
            var token = element.GetInt32();
            if (token < 0 || token >= vocabularySize)
                throw new FormatException($"token id {token} at index {i} is outside the model's vocabulary of {vocabularySize}");
            tokens[i++] = token;
        }
        var prompt = promptElement.GetInt32();
        if (prompt < 0 || prompt > tokens.Length)
            throw new FormatException($"prompt {prompt} is outside 0..{tokens.Length} (the token count)");
        int? decision = null;
        if (root.TryGetProperty("decision", out var decisionElement))
        {
            decision = decisionElement.GetInt32();
            if (decision < Math.Max(prompt, 1) || decision >= tokens.Length)
                throw new FormatException($"decision {decision} is outside the completion ({prompt}..{tokens.Length - 1})");
        }
        return new TrainingExample(tokens, prompt) { DecisionToken = decision };
    }
}
