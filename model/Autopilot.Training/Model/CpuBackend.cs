namespace Autopilot.Training;

/// <summary>The ggml CPU backend with its thread count, and the scheduler ggml-opt allocates and runs graphs with.</summary>
internal sealed unsafe class CpuBackend : IDisposable
{
    /// <summary>Nodes the scheduler can place; well above what ggml-opt's 2048-node graphs can hold.</summary>
    private const int SchedulerGraphSize = 16384;

    public CpuBackend(int threads)
    {
        Handle = Ggml.ggml_backend_cpu_init();
        if (Handle == IntPtr.Zero) throw new TrainerException("ggml_backend_cpu_init failed.");
        Ggml.ggml_backend_cpu_set_n_threads(Handle, threads);
        var backend = Handle;
        Scheduler = Ggml.ggml_backend_sched_new(&backend, null, 1, SchedulerGraphSize, parallel: false, opOffload: false);
        if (Scheduler == IntPtr.Zero) throw new TrainerException("ggml_backend_sched_new failed.");
    }

    public IntPtr Handle { get; private set; }
    public IntPtr Scheduler { get; private set; }

    public void Dispose()
    {
        if (Scheduler != IntPtr.Zero) Ggml.ggml_backend_sched_free(Scheduler);
        if (Handle != IntPtr.Zero) Ggml.ggml_backend_free(Handle);
        Scheduler = Handle = IntPtr.Zero;
    }
}
