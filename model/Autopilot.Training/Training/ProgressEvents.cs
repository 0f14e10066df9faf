using System.Text.Encodings.Web;
using System.Text.Json;

namespace Autopilot.Training;

/// <summary>
/// The progress protocol with the parent process: one JSON object per line on stdout, flushed at once, and nothing
/// else on stdout (diagnostics go to stderr). Non-finite numbers, which JSON cannot carry, are written as null.
/// </summary>
internal sealed class ProgressEvents(Stream output)
{
    // Relaxed escaping keeps messages readable (no \u0027 for an apostrophe); quotes and control characters are
    // still escaped, which is all a line-per-object protocol needs.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ProgressEvents StandardOutput() => new(Console.OpenStandardOutput());

    public void Start(int examples, int skipped, int windows, int window, int rows, long parameters, long totalSteps, int epochs) =>
        Write("start", w =>
        {
            w.WriteNumber("examples", examples);
            w.WriteNumber("skipped", skipped);
            w.WriteNumber("windows", windows);
            w.WriteNumber("window", window);
            w.WriteNumber("rows", rows);
            w.WriteNumber("parameters", parameters);
            w.WriteNumber("totalSteps", totalSteps);
            w.WriteNumber("epochs", epochs);
        });

    public void Step(int epoch, long step, long totalSteps, double? loss, double tokensPerSecond, double etaSeconds) =>
        Write("step", w =>
        {
            w.WriteNumber("epoch", epoch);
            w.WriteNumber("step", step);
            w.WriteNumber("totalSteps", totalSteps);
            Number(w, "loss", loss);
            Number(w, "tokensPerSecond", Math.Round(tokensPerSecond, 1));
            Number(w, "etaSeconds", Math.Round(etaSeconds, 1));
        });

    public void Epoch(int epoch, WindowScore train, WindowScore? valid, double seconds) =>
        Write("epoch", w =>
        {
            w.WriteNumber("epoch", epoch);
            Number(w, "trainLoss", train.MeanLoss);
            Number(w, "trainAccuracy", train.Accuracy);
            Number(w, "validLoss", valid?.MeanLoss);
            Number(w, "validAccuracy", valid?.Accuracy);
            Number(w, "seconds", Math.Round(seconds, 3));
        });

    public void Done(string outPath, double seconds) =>
        Write("done", w =>
        {
            w.WriteString("out", outPath);
            Number(w, "seconds", Math.Round(seconds, 3));
        });

    public void Loss(double? loss, long rows) =>
        Write("loss", w =>
        {
            Number(w, "loss", loss);
            w.WriteNumber("rows", rows);
        });

    public void Error(string message) => Write("error", w => w.WriteString("message", message));

    private void Write(string name, Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writer.WriteString("event", name);
            body(writer);
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        output.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
        output.Flush();
    }

    private static void Number(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) writer.WriteNumber(name, v);
        else writer.WriteNull(name);
    }
}
