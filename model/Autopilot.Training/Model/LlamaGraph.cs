namespace Autopilot.Training;

/// <summary>
/// Builds the llama forward pass with ggml ops, the same math as llama.cpp's llm_build_llama without a KV cache
/// (the KV-cache write has no backward pass, which is why llama.cpp's own llama_opt_epoch aborts in this build):
/// RMS norm, RoPE (normal mode), causal attention through soft_max_ext with a mask, SwiGLU feed-forward, untied
/// output. Only the rows selected by <see cref="ModelTensors.Rows"/> go through the output projection, which skips
/// most of the vocabulary-sized matmul when only completions count.
/// </summary>
internal static class LlamaGraph
{
    private const int RopeModeNormal = 0;  // LLAMA_ROPE_TYPE_NORM
    private const float RopeFreqScale = 1f, YarnExtFactor = 0f, YarnAttnFactor = 1f, YarnBetaFast = 32f, YarnBetaSlow = 1f;

    /// <summary>Returns the logits tensor [vocabulary, rows].</summary>
    public static IntPtr BuildLogits(IntPtr ctx, LlamaShape shape, ModelTensors tensors, int window)
    {
        int headSize = shape.HeadSize, heads = shape.Heads, kvHeads = shape.KvHeads;
        var kqScale = 1f / MathF.Sqrt(headSize);
        IntPtr W(string name) => tensors.Weight(name);
        IntPtr Norm(IntPtr x, string weight) => Ggml.ggml_mul(ctx, Ggml.ggml_rms_norm(ctx, x, shape.RmsEpsilon), W(weight));
        IntPtr Rope(IntPtr x) => Ggml.ggml_rope_ext(ctx, x, tensors.Positions, IntPtr.Zero, shape.RopeDimensions, RopeModeNormal,
            shape.ContextLength, shape.RopeFreqBase, RopeFreqScale, YarnExtFactor, YarnAttnFactor, YarnBetaFast, YarnBetaSlow);

        var x = Ggml.ggml_get_rows(ctx, W("token_embd.weight"), tensors.Tokens);                      // [E, T]
        for (var layer = 0; layer < shape.Layers; layer++)
        {
            var block = $"blk.{layer}.";
            var h = Norm(x, block + "attn_norm.weight");
            var q = Rope(Ggml.ggml_reshape_3d(ctx, Ggml.ggml_mul_mat(ctx, W(block + "attn_q.weight"), h), headSize, heads, window));
            var k = Rope(Ggml.ggml_reshape_3d(ctx, Ggml.ggml_mul_mat(ctx, W(block + "attn_k.weight"), h), headSize, kvHeads, window));
            var v = Ggml.ggml_reshape_3d(ctx, Ggml.ggml_mul_mat(ctx, W(block + "attn_v.weight"), h), headSize, kvHeads, window);

            // kq [T_keys, T_queries, heads]; mul_mat broadcasts the kv heads over groups of query heads (GQA) exactly
            // as llama.cpp's non-flash attention does.
            var kq = Ggml.ggml_mul_mat(ctx, Ggml.ggml_permute(ctx, k, 0, 2, 1, 3), Ggml.ggml_permute(ctx, q, 0, 2, 1, 3));
            kq = Ggml.ggml_soft_max_ext(ctx, kq, tensors.Mask, kqScale, 0f);
            var vt = Ggml.ggml_cont(ctx, Ggml.ggml_permute(ctx, v, 1, 2, 0, 3));                        // [T, D, kv heads]
            var kqv = Ggml.ggml_mul_mat(ctx, vt, kq);                                                    // [D, T, heads]
            var attention = Ggml.ggml_reshape_2d(ctx, Ggml.ggml_cont(ctx, Ggml.ggml_permute(ctx, kqv, 0, 2, 1, 3)), shape.Embedding, window);
            x = Ggml.ggml_add(ctx, x, Ggml.ggml_mul_mat(ctx, W(block + "attn_output.weight"), attention));

            h = Norm(x, block + "ffn_norm.weight");
            var gate = Ggml.ggml_silu(ctx, Ggml.ggml_mul_mat(ctx, W(block + "ffn_gate.weight"), h));
            var up = Ggml.ggml_mul_mat(ctx, W(block + "ffn_up.weight"), h);
            x = Ggml.ggml_add(ctx, x, Ggml.ggml_mul_mat(ctx, W(block + "ffn_down.weight"), Ggml.ggml_mul(ctx, gate, up)));
        }

        var selected = Ggml.ggml_get_rows(ctx, Norm(x, "output_norm.weight"), tensors.Rows);             // [E, K]
        var logits = Ggml.ggml_mul_mat(ctx, W("output.weight"), selected);                               // [V, K]
        Ggml.ggml_set_name(logits, "logits");
        return logits;
    }
}
