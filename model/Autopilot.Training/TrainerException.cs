namespace Autopilot.Training;

/// <summary>
/// A failure with a message meant for the user (bad model file, bad data line, impossible settings): reported as an
/// error event without a stack trace.
/// </summary>
internal sealed class TrainerException(string message) : Exception(message);
