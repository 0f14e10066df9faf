using System.Runtime.InteropServices;

namespace Autopilot.Training;

// Layouts of the ggml structs this trainer passes by value, as compiled into the ggml shipped with
// LLamaSharp.Backend.Cpu 0.30.0 (ggml 0.18.0, commit 815a2a591). They were verified against that binary by the
// feasibility prototype (shared/prototypes/ggml-training) and are NEWER than older ggml headers suggest: check them
// again whenever the backend package changes.

internal enum GgmlType : int { F32 = 0, I32 = 26 }

internal enum GgmlOptLossType : int { Mean = 0, Sum = 1, CrossEntropy = 2, MeanSquaredError = 3 }

internal enum GgmlOptBuildType : int { Forward = 10, Grad = 20, Opt = 30 }

internal enum GgmlOptOptimizerType : int { AdamW = 0, Sgd = 1 }

/// <summary>struct ggml_init_params (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GgmlInitParams
{
    public nuint MemSize;
    public IntPtr MemBuffer;
    public byte NoAlloc; // C bool
}

/// <summary>struct ggml_opt_params (72 bytes in this build: it has no grad_checkpoint_interval).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GgmlOptParams
{
    public IntPtr BackendSched;          // 0
    public IntPtr CtxCompute;            // 8   non-NULL => static graphs
    public IntPtr Inputs;                // 16
    public IntPtr Outputs;               // 24
    public GgmlOptLossType LossType;     // 32
    public GgmlOptBuildType BuildType;   // 36
    public int OptPeriod;                // 40
    public IntPtr GetOptPars;            // 48  ggml_opt_optimizer_params (*)(void * userdata)
    public IntPtr GetOptParsUserData;    // 56
    public GgmlOptOptimizerType Optimizer; // 64
}

/// <summary>struct ggml_opt_optimizer_params (28 bytes = 7 floats in this build: no gclip field).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GgmlOptOptimizerParams
{
    public float AdamWAlpha;   // learning rate
    public float AdamWBeta1;
    public float AdamWBeta2;
    public float AdamWEps;
    public float AdamWWeightDecay;
    public float SgdAlpha;
    public float SgdWeightDecay;
}
