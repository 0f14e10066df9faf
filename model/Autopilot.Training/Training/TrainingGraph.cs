namespace Autopilot.Training;

/// <summary>
/// The llama graph for one window size and row count, wrapped in a ggml-opt context with static graphs: forward
/// only for evaluation, forward + backward + AdamW for a training step. Cross-entropy over one-hot labels [V, K] is
/// ggml-opt's loss; the score reported is recomputed from the logits over the counted rows only.
/// </summary>
internal sealed unsafe class TrainingGraph : IDisposable
{
    /// <summary>Room for every tensor ggml-opt creates in the compute context (forward, gradients, optimizer steps).</summary>
    private const int ComputeTensors = 16384;
    /// <summary>ggml-opt's graphs are GGML_DEFAULT_GRAPH_SIZE (2048) nodes; it keeps up to three in the compute context.</summary>
    private const int OptGraphSize = 2048, OptGraphs = 3;

    private readonly LlamaShape _shape;
    private readonly int _rows;
    private readonly float[] _labels, _logits;
    private readonly int[] _labelledIndexes;
    private CpuBackend? _backend;
    private ModelTensors? _tensors;
    private AdamWParameters? _optimizer;
    private IntPtr _computeContext, _logitsBuffer, _opt, _logitsTensor;

    public TrainingGraph(GgufFile model, LlamaShape shape, int window, int rows, int threads, bool trainable)
    {
        _shape = shape;
        _rows = rows;
        _labels = new float[(long)shape.VocabularySize * rows];
        _logits = new float[_labels.LongLength];
        _labelledIndexes = new int[rows];
        try
        {
            _backend = new CpuBackend(threads);
            _tensors = new ModelTensors(model, shape, window, rows, _backend, trainable);
            _computeContext = Ggml.ggml_init(new GgmlInitParams
            {
                MemSize = Ggml.ggml_tensor_overhead() * ComputeTensors + Ggml.ggml_graph_overhead_custom(OptGraphSize, true) * OptGraphs,
                NoAlloc = 1,
            });
            if (_computeContext == IntPtr.Zero) throw new TrainerException("ggml_init failed for the compute graph.");
            _logitsTensor = LlamaGraph.BuildLogits(_computeContext, shape, _tensors, window);
            AllocateLogits();
            _optimizer = trainable ? new AdamWParameters() : null;
            _opt = CreateOptimizer(trainable);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public long ParameterCount => _tensors!.ParameterCount;

    /// <summary>Runs one window: forward only, or (train) forward, backward and one AdamW step at <paramref name="learningRate"/>.</summary>
    public WindowScore Run(WindowInputs inputs, bool train, float learningRate = 0f)
    {
        if (inputs.RowCount != _rows) throw new ArgumentException($"inputs have {inputs.RowCount} rows, the graph {_rows}");
        if (train)
        {
            if (_optimizer is null) throw new InvalidOperationException("this graph was built for evaluation only");
            // ggml-opt asserts alpha > 0; a schedule that decays to exactly 0 keeps a negligible positive rate instead.
            _optimizer.LearningRate = MathF.Max(learningRate, 1e-12f);
        }

        _tensors!.SetInputs(inputs);
        Ggml.ggml_opt_alloc(_opt, train);
        SetLabels(inputs);
        Ggml.ggml_opt_eval(_opt, IntPtr.Zero);

        fixed (float* pointer = _logits) Ggml.ggml_backend_tensor_get(_logitsTensor, pointer, 0, Ggml.ggml_nbytes(_logitsTensor));
        return WindowScore.FromLogits(_logits, _shape.VocabularySize, inputs.Targets, inputs.CountedRows);
    }

    public IEnumerable<(GgufTensorInfo Tensor, float[] Data)> ReadWeights() => _tensors!.ReadWeights();

    public void Dispose()
    {
        if (_opt != IntPtr.Zero) Ggml.ggml_opt_free(_opt);
        if (_logitsBuffer != IntPtr.Zero) Ggml.ggml_backend_buffer_free(_logitsBuffer);
        if (_computeContext != IntPtr.Zero) Ggml.ggml_free(_computeContext);
        _opt = _logitsBuffer = _computeContext = IntPtr.Zero;
        _optimizer?.Dispose();
        _tensors?.Dispose();
        _backend?.Dispose();
        _optimizer = null;
        _tensors = null;
        _backend = null;
    }

    /// <summary>
    /// ggml-opt evaluates a private copy of the graph, so an output allocated by its scheduler cannot be read through
    /// the tensor we hold. Giving the logits their own buffer up front makes the copy write into memory we can read.
    /// </summary>
    private void AllocateLogits()
    {
        var bytes = Ggml.ggml_nbytes(_logitsTensor);
        _logitsBuffer = Ggml.ggml_backend_alloc_buffer(_backend!.Handle, bytes);
        if (_logitsBuffer == IntPtr.Zero) throw new TrainerException("Could not allocate the logits buffer.");
        if (Ggml.ggml_backend_tensor_alloc(_logitsBuffer, _logitsTensor, Ggml.ggml_backend_buffer_get_base(_logitsBuffer)) != 0)
            throw new TrainerException("Could not place the logits in their buffer.");
    }

    private IntPtr CreateOptimizer(bool trainable)
    {
        var parameters = Ggml.ggml_opt_default_params(_backend!.Scheduler, GgmlOptLossType.CrossEntropy);
        parameters.CtxCompute = _computeContext;      // static graphs: built once, reused for every window
        parameters.Inputs = _tensors!.Tokens;
        parameters.Outputs = _logitsTensor;
        parameters.OptPeriod = 1;
        if (trainable)
        {
            parameters.BuildType = GgmlOptBuildType.Opt;
            parameters.Optimizer = GgmlOptOptimizerType.AdamW;
            parameters.GetOptPars = NativeLibraries.GgmlBaseExport("ggml_opt_get_constant_optimizer_params");
            parameters.GetOptParsUserData = _optimizer!.Address;
        }
        else
        {
            parameters.BuildType = GgmlOptBuildType.Forward;
        }
        var opt = Ggml.ggml_opt_init(parameters);
        if (opt == IntPtr.Zero) throw new TrainerException("ggml_opt_init failed.");
        return opt;
    }

    /// <summary>One-hot labels [V, K], written after every ggml_opt_alloc (which may move ggml-opt's own tensors).</summary>
    private void SetLabels(WindowInputs inputs)
    {
        var vocabulary = _shape.VocabularySize;
        foreach (var index in _labelledIndexes) _labels[index] = 0f;   // clear the previous window's ones only
        for (var r = 0; r < _rows; r++)
        {
            _labelledIndexes[r] = r * vocabulary + inputs.Targets[r];
            _labels[_labelledIndexes[r]] = 1f;
        }
        var labels = Ggml.ggml_opt_labels(_opt);
        fixed (float* pointer = _labels) Ggml.ggml_backend_tensor_set(labels, pointer, 0, (nuint)(_labels.LongLength * sizeof(float)));
    }
}
