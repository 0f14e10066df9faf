namespace Autopilot.InferencePool.Engine.Models;

/// <summary>The model could not be loaded; the message says which file, why, and what to do.</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);
