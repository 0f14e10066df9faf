namespace Autopilot.Incidents.Ports;

/// <summary>
/// Alert messages that were never handled (the subscriber dropped them, or every delivery failed), kept for a human
/// behind GET /dead-letters. Dapr: the dead-letter topic's subscription stores them in the state store; stand-alone:
/// one file per letter in the state directory. Both keep the newest ones up to a bound and count what they let go.
/// </summary>
public interface IDeadLetterStore
{
    Task AddAsync(DeadLetterRecord letter, CancellationToken ct);

    /// <summary>Newest first, at most <paramref name="limit"/>.</summary>
    Task<DeadLetterPage> ListAsync(int limit, CancellationToken ct);
}

/// <summary>One dead letter. <see cref="Attempts"/> is null where the runtime does not say (Dapr hands the dead-letter
/// topic the message alone); <see cref="Message"/> is the message body as text, cut at <see cref="MaxMessageBytes"/>.</summary>
public sealed record DeadLetterRecord(string Id, string Topic, DateTimeOffset At, string Reason, int? Attempts, string Message)
{
    /// <summary>A body may be up to the webhook's 1 MiB; a thousand of those kept whole would be a gigabyte of memory, and
    /// the start of a message says what it was.</summary>
    public const int MaxMessageBytes = 64 * 1024;

    /// <summary>The body as text, cut at <see cref="MaxMessageBytes"/> with a note saying how long it was.</summary>
    public static string MessageText(ReadOnlySpan<byte> body) =>
        body.Length <= MaxMessageBytes
            ? System.Text.Encoding.UTF8.GetString(body)
            : System.Text.Encoding.UTF8.GetString(body[..MaxMessageBytes]) + $"… (cut: the message was {body.Length} bytes)";
}

/// <summary>What GET /dead-letters answers: the letters kept, newest first, and how many older ones were let go
/// because the store was full.</summary>
public sealed record DeadLetterPage(IReadOnlyList<DeadLetterRecord> Letters, long Dropped);
