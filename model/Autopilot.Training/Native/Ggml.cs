using System.Runtime.InteropServices;

namespace Autopilot.Training;

/// <summary>
/// The ggml, ggml-backend and ggml-opt functions the trainer calls (libggml-base + libggml-cpu). Tensors, contexts,
/// buffers and backends are opaque pointers owned by the classes that create them.
/// </summary>
internal static unsafe class Ggml
{
    private const string Base = NativeLibraries.GgmlBase;
    private const string Cpu = NativeLibraries.GgmlCpu;

    // ---- contexts and tensors
    [DllImport(Base)] public static extern IntPtr ggml_init(GgmlInitParams parameters);
    [DllImport(Base)] public static extern void ggml_free(IntPtr ctx);
    [DllImport(Base)] public static extern nuint ggml_tensor_overhead();
    [DllImport(Base)] public static extern nuint ggml_graph_overhead_custom(nuint size, [MarshalAs(UnmanagedType.U1)] bool grads);
    [DllImport(Base)] public static extern IntPtr ggml_new_tensor_1d(IntPtr ctx, GgmlType type, long ne0);
    [DllImport(Base)] public static extern IntPtr ggml_new_tensor_2d(IntPtr ctx, GgmlType type, long ne0, long ne1);
    [DllImport(Base)] public static extern IntPtr ggml_set_name(IntPtr tensor, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    [DllImport(Base)] public static extern void ggml_set_param(IntPtr tensor);
    [DllImport(Base)] public static extern void ggml_set_input(IntPtr tensor);
    [DllImport(Base)] public static extern nuint ggml_nbytes(IntPtr tensor);

    // ---- operations (none in place: in-place ops have no backward pass)
    [DllImport(Base)] public static extern IntPtr ggml_get_rows(IntPtr ctx, IntPtr a, IntPtr rows);
    [DllImport(Base)] public static extern IntPtr ggml_rms_norm(IntPtr ctx, IntPtr a, float eps);
    [DllImport(Base)] public static extern IntPtr ggml_mul(IntPtr ctx, IntPtr a, IntPtr b);
    [DllImport(Base)] public static extern IntPtr ggml_add(IntPtr ctx, IntPtr a, IntPtr b);
    [DllImport(Base)] public static extern IntPtr ggml_mul_mat(IntPtr ctx, IntPtr a, IntPtr b);
    [DllImport(Base)] public static extern IntPtr ggml_reshape_2d(IntPtr ctx, IntPtr a, long ne0, long ne1);
    [DllImport(Base)] public static extern IntPtr ggml_reshape_3d(IntPtr ctx, IntPtr a, long ne0, long ne1, long ne2);
    [DllImport(Base)] public static extern IntPtr ggml_permute(IntPtr ctx, IntPtr a, int axis0, int axis1, int axis2, int axis3);
    [DllImport(Base)] public static extern IntPtr ggml_cont(IntPtr ctx, IntPtr a);
    [DllImport(Base)] public static extern IntPtr ggml_soft_max_ext(IntPtr ctx, IntPtr a, IntPtr mask, float scale, float maxBias);
    [DllImport(Base)] public static extern IntPtr ggml_silu(IntPtr ctx, IntPtr a);
    [DllImport(Base)] public static extern IntPtr ggml_rope_ext(IntPtr ctx, IntPtr a, IntPtr positions, IntPtr freqFactors,
        int nDims, int mode, int nCtxOrig, float freqBase, float freqScale, float extFactor, float attnFactor,
        float betaFast, float betaSlow);

    // ---- backend, buffers, scheduler
    [DllImport(Cpu)] public static extern IntPtr ggml_backend_cpu_init();
    [DllImport(Cpu)] public static extern void ggml_backend_cpu_set_n_threads(IntPtr backend, int threads);
    [DllImport(Base)] public static extern void ggml_backend_free(IntPtr backend);
    [DllImport(Base)] public static extern IntPtr ggml_backend_alloc_ctx_tensors(IntPtr ctx, IntPtr backend);
    [DllImport(Base)] public static extern IntPtr ggml_backend_alloc_buffer(IntPtr backend, nuint size);
    [DllImport(Base)] public static extern IntPtr ggml_backend_buffer_get_base(IntPtr buffer);
    [DllImport(Base)] public static extern int ggml_backend_tensor_alloc(IntPtr buffer, IntPtr tensor, IntPtr address);
    [DllImport(Base)] public static extern void ggml_backend_buffer_free(IntPtr buffer);
    [DllImport(Base)] public static extern void ggml_backend_tensor_set(IntPtr tensor, void* data, nuint offset, nuint size);
    [DllImport(Base)] public static extern void ggml_backend_tensor_get(IntPtr tensor, void* data, nuint offset, nuint size);
    [DllImport(Base)] public static extern IntPtr ggml_backend_sched_new(IntPtr* backends, IntPtr* bufferTypes, int backendCount,
        nuint graphSize, [MarshalAs(UnmanagedType.U1)] bool parallel, [MarshalAs(UnmanagedType.U1)] bool opOffload);
    [DllImport(Base)] public static extern void ggml_backend_sched_free(IntPtr sched);

    // ---- ggml-opt
    [DllImport(Base)] public static extern GgmlOptParams ggml_opt_default_params(IntPtr sched, GgmlOptLossType lossType);
    [DllImport(Base)] public static extern GgmlOptOptimizerParams ggml_opt_get_default_optimizer_params(IntPtr userData);
    [DllImport(Base)] public static extern IntPtr ggml_opt_init(GgmlOptParams parameters);
    [DllImport(Base)] public static extern void ggml_opt_free(IntPtr opt);
    [DllImport(Base)] public static extern void ggml_opt_alloc(IntPtr opt, [MarshalAs(UnmanagedType.U1)] bool backward);
    [DllImport(Base)] public static extern void ggml_opt_eval(IntPtr opt, IntPtr result);
    [DllImport(Base)] public static extern IntPtr ggml_opt_labels(IntPtr opt);
}
