namespace Autopilot.Remediation.Alerts;

/// <summary>Why a payload was rejected. Field is a JSON path into the payload ("alerts[3].startsAt",
/// "$" for the body as a whole) so a 400 response can name exactly what to fix.</summary>
public sealed record AlertParseError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>The result of parsing untrusted input: a value or a typed error, never an exception.</summary>
public sealed class ParseOutcome<T>
{
    private ParseOutcome(T? value, AlertParseError? error)
    {
        Value = value;
        Error = error;
    }

    public bool IsSuccess => Error is null;

    /// <summary>The parsed value; null when <see cref="IsSuccess"/> is false.</summary>
    public T? Value { get; }

    /// <summary>The first problem found; null when <see cref="IsSuccess"/> is true.</summary>
    public AlertParseError? Error { get; }

    public static ParseOutcome<T> Success(T value) => new(value, null);

    public static ParseOutcome<T> Failure(string field, string message) => new(default, new AlertParseError(field, message));

    public static ParseOutcome<T> Failure(AlertParseError error) => new(default, error);
}

/// <summary>Alerts from one delivery. TruncatedAlerts is Alertmanager's count of alerts it left out
/// of the payload (max_alerts); they exist but we never saw them.</summary>
public sealed record AlertBatch(string? Receiver, string? GroupKey, int TruncatedAlerts, IReadOnlyList<Alert> Alerts)
{
    /// <summary>"firing" or "resolved" for a webhook group; null for a single-alert event.</summary>
    public string? GroupStatus { get; init; }

    /// <summary>Alertmanager's externalURL, when the payload came from Alertmanager.</summary>
    public string? ExternalUrl { get; init; }
}
