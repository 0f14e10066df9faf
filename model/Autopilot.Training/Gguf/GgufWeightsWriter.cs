using System.Runtime.InteropServices;

namespace Autopilot.Training;

/// <summary>
/// Writes trained weights as a copy of the source GGUF with the tensor data replaced in place: header, metadata,
/// tokenizer and layout stay byte-identical, so whatever loaded the input loads the output. The copy is written to a
/// temporary file beside the destination and renamed over it, so a crash never leaves a half-written model.
/// </summary>
internal static class GgufWeightsWriter
{
    public static void Write(GgufFile source, string destination, IEnumerable<(GgufTensorInfo Tensor, float[] Data)> tensors)
    {
        var fullDestination = System.IO.Path.GetFullPath(destination);
        var directory = System.IO.Path.GetDirectoryName(fullDestination)!;
        Directory.CreateDirectory(directory);
        var temp = System.IO.Path.Combine(directory,
            $".{System.IO.Path.GetFileName(fullDestination)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.Copy(source.Path, temp, overwrite: true);
            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.Write, FileShare.None, 1 << 20))
            {
                foreach (var (tensor, data) in tensors)
                {
                    if (data.LongLength != tensor.ElementCount)
                        throw new InvalidOperationException($"{tensor.Name}: {data.LongLength} values for {tensor.ElementCount} elements.");
                    stream.Position = tensor.DataOffset;
                    stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullDestination, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
