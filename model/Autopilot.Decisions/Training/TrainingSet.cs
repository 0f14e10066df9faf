using System.Text;
using System.Text.Json;
using Autopilot.Decisions.Cases;
using Autopilot.Decisions.Planning;
using Autopilot.Incidents.Health;
using Autopilot.Incidents.Planning;
using Autopilot.InferencePool.Client;
using Autopilot.InferencePool.Engine.Models;
using Autopilot.InferencePool.Engine.Prompting;
using Autopilot.Remediation.Compaction;
using Autopilot.Remediation.Knowledge;
using LLama;
using LLama.Common;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;

namespace Autopilot.Decisions.Training;

/// <summary>A case as the planner would ask it: system and user messages, and the answer it should give.</summary>
public sealed record RenderedCase(string Id, string System, string User, string Target);

/// <summary>
/// Prepares training data through the real planning path: each case is perceived (fact sheet, SOP retrieval) and its
/// prompt rendered by <see cref="PlanningPrompt"/> as the planner does; then, once the vocabulary exists, encoded by the
/// pool's <see cref="PromptEncoder"/> with the model's own chat template, exactly the tokens the pool will feed it.
/// Cases without a target or without an SOP (the planner does not ask the model then) are left out.
/// </summary>
public sealed class TrainingSet(string sopDirectory, string workDirectory)
{
    /// <summary>What every answer starts with before its action (the proposal wire form).</summary>
    public const string DecisionPrefix = "{\"action\":\"";

    public async Task<IReadOnlyList<RenderedCase>> RenderAsync(IReadOnlyList<DecisionCase> cases, CancellationToken ct)
    {
        using var sops = SqliteSopIndex.Open(sopDirectory, Path.Combine(workDirectory, "sop-index.db"));
        var perception = CasePerception.WithLoopDefaults(sops);
        var prompt = new PlanningPrompt(new Kernel(), new PlanningOptions());
        var rendered = new List<RenderedCase>(cases.Count);
        foreach (var c in cases)
        {
            if (c.Target is null) continue;
            var request = perception.Perceive(c).Request;
            if (request.Sop is null) continue;
            var messages = await prompt.RenderAsync(request, ct);
            rendered.Add(new RenderedCase(c.Id, messages.System, messages.User, c.Target));
        }
        return rendered;
    }

    /// <summary>Writes one JSON line per case: {"tokens":[...],"prompt":N} (BOS … answer, end-of-message token).
    /// Returns the prompt lengths in tokens.</summary>
    public static IReadOnlyList<int> WriteExamples(string modelPath, IReadOnlyList<RenderedCase> cases, string path, ILogger logger)
    {
        NativeLlamaLog.Attach(logger);
        using var weights = LLamaWeights.LoadFromFile(new ModelParams(modelPath) { VocabOnly = true, GpuLayerCount = 0 });
        var encoder = new PromptEncoder(weights, "auto", DeciderModelFile.Name, logger);
        if (encoder.TemplateName != "model")
            throw new InvalidOperationException($"{modelPath} has no chat template llama.cpp can apply; the trainer needs the model's own.");
        var end = encoder.Tokenize(DeciderVocabulary.ImEnd, addBos: false, special: true);
        // The action is the decision; its token follows this prefix of every answer, and training weights it.
        var head = encoder.Tokenize(DecisionPrefix, addBos: false);
        var lengths = new List<int>(cases.Count);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false)) { NewLine = "\n" };
        foreach (var c in cases)
        {
            var prompt = encoder.Encode([new PoolChatMessage("system", c.System), new PoolChatMessage("user", c.User)]);
            var answer = encoder.Tokenize(c.Target, addBos: false);
            var tokens = prompt.PrefixTokens.Concat(prompt.SuffixTokens).Concat(answer).Concat(end).Select(t => (int)t).ToArray();
            int? decision = answer.Length > head.Length && answer.AsSpan(0, head.Length).SequenceEqual(head) ? prompt.Count + head.Length : null;
            writer.WriteLine(JsonSerializer.Serialize(new { tokens, prompt = prompt.Count, decision }));
            lengths.Add(prompt.Count);
        }
        return lengths;
    }
}
