using System.Text;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace Autopilot.InferencePool.Engine.Models;

/// <summary>
/// Routes llama.cpp's native log (which otherwise floods stderr while loading) into ILogger. llama.cpp has one
/// process-wide callback, so the most recently attached logger receives it. Its chatty info lines become Debug.
/// </summary>
public static class NativeLlamaLog
{
    private static readonly ThreadLocal<StringBuilder> Pending = new(() => new StringBuilder());
    private static readonly Lock Gate = new();
    private static ILogger? _logger;
    private static bool _installed;

    public static void Attach(ILogger logger)
    {
        lock (Gate)
        {
            _logger = logger;
            if (_installed) return;
            NativeLogConfig.llama_log_set(Forward);
            _installed = true;
        }
    }

    private static void Forward(LLamaLogLevel level, string message)
    {
        var builder = Pending.Value!;
        builder.Append(message);
        if (!message.EndsWith('\n')) return;
        var line = builder.ToString().TrimEnd('\n');
        builder.Clear();
        var logLevel = level switch
        {
            LLamaLogLevel.Error => LogLevel.Error,
            LLamaLogLevel.Warning => LogLevel.Warning,
            _ => LogLevel.Debug,
        };
        _logger?.Log(logLevel, "llama.cpp: {NativeMessage}", line);
    }
}
