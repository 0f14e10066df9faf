using System.Runtime.InteropServices;

namespace Autopilot.Training;

/// <summary>
/// The optimizer parameters ggml-opt reads before every optimizer step, in native memory: ggml-opt is given
/// ggml_opt_get_constant_optimizer_params (which just dereferences its user-data pointer) and this block's address,
/// so changing <see cref="LearningRate"/> between steps is how the learning-rate schedule reaches the optimizer.
/// Native memory because the pointer must stay valid and unmoved for the optimizer's whole life.
/// </summary>
internal sealed unsafe class AdamWParameters : IDisposable
{
    private GgmlOptOptimizerParams* _parameters;

    public AdamWParameters()
    {
        _parameters = (GgmlOptOptimizerParams*)NativeMemory.AllocZeroed((nuint)sizeof(GgmlOptOptimizerParams));
        // ggml's defaults: beta1 0.9, beta2 0.999, eps 1e-8, no weight decay.
        *_parameters = Ggml.ggml_opt_get_default_optimizer_params(IntPtr.Zero);
    }

    public IntPtr Address => (IntPtr)_parameters;

    public float LearningRate
    {
        get => _parameters->AdamWAlpha;
        set => _parameters->AdamWAlpha = value;
    }

    public void Dispose()
    {
        if (_parameters != null) NativeMemory.Free(_parameters);
        _parameters = null;
    }
}
