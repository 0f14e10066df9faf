namespace Autopilot.Training;

/// <summary>
/// The tensors that live outside the compute graph, in one buffer this class allocates: the model's weights (loaded
/// from the GGUF, marked trainable when training) and the window inputs. ggml-opt's static graphs require inputs to
/// be allocated up front, and tensors that already have memory are left alone by its allocator, so setting them
/// before each evaluation is enough.
/// </summary>
internal sealed unsafe class ModelTensors : IDisposable
{
    private readonly Dictionary<string, IntPtr> _weights = new(StringComparer.Ordinal);
    private IntPtr _context, _buffer;

    public ModelTensors(GgufFile model, LlamaShape shape, int window, int rows, CpuBackend backend, bool trainable)
    {
        var expected = shape.ExpectedTensors().ToList();
        _context = Ggml.ggml_init(new GgmlInitParams
        {
            MemSize = Ggml.ggml_tensor_overhead() * (nuint)(expected.Count + 8),
            NoAlloc = 1,
        });
        if (_context == IntPtr.Zero) throw new TrainerException("ggml_init failed for the model tensors.");

        foreach (var (name, dims) in expected)
        {
            var tensor = dims.Length == 1
                ? Ggml.ggml_new_tensor_1d(_context, GgmlType.F32, dims[0])
                : Ggml.ggml_new_tensor_2d(_context, GgmlType.F32, dims[0], dims[1]);
            Ggml.ggml_set_name(tensor, name);
            if (trainable) Ggml.ggml_set_param(tensor);
            _weights[name] = tensor;
            Tensors.Add((model.Tensors[name], tensor));
        }

        Tokens = Input(GgmlType.I32, window, 1, "tokens");
        Positions = Input(GgmlType.I32, window, 1, "positions");
        Mask = Input(GgmlType.F32, window, window, "attention_mask");
        Rows = Input(GgmlType.I32, rows, 1, "counted_rows");

        _buffer = Ggml.ggml_backend_alloc_ctx_tensors(_context, backend.Handle);
        if (_buffer == IntPtr.Zero) throw new TrainerException("Could not allocate memory for the model weights.");
        foreach (var (info, tensor) in Tensors) Write(tensor, model.ReadF32(info));
    }

    /// <summary>Every weight with its place in the GGUF, in the order llama blocks are declared.</summary>
    public List<(GgufTensorInfo Info, IntPtr Tensor)> Tensors { get; } = [];

    public IntPtr Tokens { get; }
    public IntPtr Positions { get; }
    public IntPtr Mask { get; }
    public IntPtr Rows { get; }

    public long ParameterCount => Tensors.Sum(t => t.Info.ElementCount);

    public IntPtr Weight(string name) => _weights[name];

    public void SetInputs(WindowInputs inputs)
    {
        Write(Tokens, inputs.Tokens);
        Write(Positions, inputs.Positions);
        Write(Mask, inputs.Mask);
        Write(Rows, inputs.Rows);
    }

    /// <summary>The current (trained) values of every weight, paired with where they go in the GGUF.</summary>
    public IEnumerable<(GgufTensorInfo Tensor, float[] Data)> ReadWeights()
    {
        // One tensor at a time, so the writer never holds a second copy of the whole model.
        foreach (var (info, tensor) in Tensors) yield return (info, Read(tensor, info.ElementCount));
    }

    private static float[] Read(IntPtr tensor, long count)
    {
        var data = new float[count];
        fixed (float* pointer = data) Ggml.ggml_backend_tensor_get(tensor, pointer, 0, Ggml.ggml_nbytes(tensor));
        return data;
    }

    public void Dispose()
    {
        if (_buffer != IntPtr.Zero) Ggml.ggml_backend_buffer_free(_buffer);
        if (_context != IntPtr.Zero) Ggml.ggml_free(_context);
        _buffer = _context = IntPtr.Zero;
    }

    private IntPtr Input(GgmlType type, long ne0, long ne1, string name)
    {
        var tensor = ne1 == 1 ? Ggml.ggml_new_tensor_1d(_context, type, ne0) : Ggml.ggml_new_tensor_2d(_context, type, ne0, ne1);
        Ggml.ggml_set_name(tensor, name);
        Ggml.ggml_set_input(tensor);
        return tensor;
    }

    private static void Write<T>(IntPtr tensor, T[] values) where T : unmanaged
    {
        var bytes = (nuint)(values.LongLength * sizeof(T));
        if (bytes != Ggml.ggml_nbytes(tensor)) throw new InvalidOperationException("input size does not match its tensor");
        fixed (T* pointer = values) Ggml.ggml_backend_tensor_set(tensor, pointer, 0, bytes);
    }
}
