using LLama;
using LLama.Common;
using LLama.Native;

namespace Autopilot.Model.Tests.Training;

/// <summary>
/// The reference: mean next-token cross-entropy computed through llama.cpp inference (LLamaSharp), one example at a
/// time with positions from 0 and an empty KV cache, logits at every position, counted rows as the trainer counts
/// them. F32 KV cache and no flash attention, so the only differences left are float summation order.
/// </summary>
public static class InferenceLoss
{
    public static double Mean(string modelPath, IReadOnlyList<TokenExample> examples, bool completionOnly = true)
    {
        var contextSize = (uint)Math.Max(64, examples.Max(e => e.Tokens.Length));
        var parameters = new ModelParams(modelPath)
        {
            ContextSize = contextSize,
            BatchSize = contextSize,
            UBatchSize = contextSize,
            GpuLayerCount = 0,
            Threads = 2,
            BatchThreads = 2,
            TypeK = GGMLType.GGML_TYPE_F32,
            TypeV = GGMLType.GGML_TYPE_F32,
            FlashAttention = false,
        };
        using var weights = LLamaWeights.LoadFromFile(parameters);
        using var context = weights.CreateContext(parameters);
        var vocabulary = weights.Vocab.Count;

        double lossSum = 0;
        long rows = 0;
        foreach (var example in examples)
        {
            context.NativeHandle.MemoryClear(true);
            var batch = new LLamaBatch();
            for (var i = 0; i < example.Tokens.Length - 1; i++) batch.Add((LLamaToken)example.Tokens[i], i, (LLamaSeqId)0, logits: true);
            Assert.Equal(DecodeResult.Ok, context.Decode(batch));

            var first = completionOnly ? Math.Max(example.Prompt - 1, 0) : 0;
            for (var i = first; i < example.Tokens.Length - 1; i++)
            {
                var logits = context.NativeHandle.GetLogitsIth(i);
                double max = double.NegativeInfinity, sum = 0;
                for (var v = 0; v < vocabulary; v++) max = Math.Max(max, logits[v]);
                for (var v = 0; v < vocabulary; v++) sum += Math.Exp(logits[v] - max);
                lossSum += max + Math.Log(sum) - logits[example.Tokens[i + 1]];
                rows++;
            }
        }
        return lossSum / rows;
    }
}
