// Over 300 lines: the accepted payload shapes (Alertmanager webhook; a CloudEvent around a webhook or single alerts)
// share the field-by-field validation that names each bad field.
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Autopilot.Remediation.Alerts;

/// <summary>
/// Parses untrusted alert payloads: Alertmanager webhook bodies (version "4"), and the topic's CloudEvents carrying
/// a webhook body or single alerts (one alert object, or an array of them as Alertmanager's own API accepts). Every problem becomes an <see cref="AlertParseError"/> naming the JSON field;
/// no exception escapes for any input.
/// </summary>
public static class AlertPayloadParser
{
    public const string SupportedWebhookVersion = "4";

    /// <summary>Timestamps after this year are refused: nothing real is that far ahead, and time arithmetic on
    /// "9999-12-31T23:59:59Z" (windows, cool-downs, hold limits) would overflow.</summary>
    public const int MaxTimestampYear = 2999;

    public static ParseOutcome<AlertBatch> ParseWebhook(ReadOnlySpan<byte> utf8Body) =>
        ParseWebhook(utf8Body, AlertPayloadLimits.Default);

    public static ParseOutcome<AlertBatch> ParseWebhook(ReadOnlySpan<byte> utf8Body, AlertPayloadLimits limits) =>
        Parse(utf8Body, limits, (root, reader) => root.ValueKind == JsonValueKind.Object
            ? reader.ReadWebhook(root)
            : Fail("$", $"a webhook body must be a JSON object, got {Describe(root.ValueKind)}"));

    /// <summary>What arrives on the "alerts" topic: a CloudEvent 1.0 envelope (specversion, id, source, type) whose JSON
    /// "data" is a whole webhook payload or a single alert (object or array). A bare payload is refused: only the pub/sub
    /// building block delivers to the topic's subscriber, and it always wraps.</summary>
    public static ParseOutcome<AlertBatch> ParseCloudEvent(ReadOnlySpan<byte> utf8Body) =>
        ParseCloudEvent(utf8Body, AlertPayloadLimits.Default);

    public static ParseOutcome<AlertBatch> ParseCloudEvent(ReadOnlySpan<byte> utf8Body, AlertPayloadLimits limits) =>
        Parse(utf8Body, limits, (root, reader) => reader.ReadCloudEvent(root));

    private static ParseOutcome<AlertBatch> Parse(
        ReadOnlySpan<byte> utf8Body, AlertPayloadLimits limits, Func<JsonElement, PayloadReader, ParseOutcome<AlertBatch>> read)
    {
        var outcome = ParseUnrecorded(utf8Body, limits, read);
        SignalsTelemetry.Parsed(outcome);
        return outcome;
    }

    private static ParseOutcome<AlertBatch> ParseUnrecorded(
        ReadOnlySpan<byte> utf8Body, AlertPayloadLimits limits, Func<JsonElement, PayloadReader, ParseOutcome<AlertBatch>> read)
    {
        if (utf8Body.Length > limits.MaxBodyBytes)
            return Fail("$", $"body is {utf8Body.Length} bytes; the limit is {limits.MaxBodyBytes} bytes");
        if (utf8Body.IsEmpty || IsAllWhitespace(utf8Body))
            return Fail("$", "body is empty; expected a JSON object");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Body.ToArray(), new JsonDocumentOptions
            {
                MaxDepth = limits.MaxDepth,
                AllowTrailingCommas = false,
                CommentHandling = JsonCommentHandling.Disallow,
                // A repeated key is refused wherever it is (top level, an alert, its labels): with "last wins" two
                // readers of the same bytes could disagree about what the payload says.
                AllowDuplicateProperties = false,
            });
        }
        catch (JsonException ex) when (IsDuplicateProperty(ex))
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, byte {ex.BytePositionInLine + 1}" : "";
            return Fail("$", $"body repeats a property name{where}; every key must appear once per object");
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            // Checking names for repeats reads every one of them; a name that cannot be read (an escaped lone surrogate)
            // throws these rather than JsonException.
            return Fail("$", "body holds a property name that is not valid text (invalid UTF-8 or an unpaired surrogate escape)");
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, byte {ex.BytePositionInLine + 1}" : "";
            return Fail("$", $"body is not valid JSON{where}");
        }

        using (document)
        {
            try
            {
                return read(document.RootElement, new PayloadReader(limits));
            }
            catch (PayloadException ex)
            {
                return ParseOutcome<AlertBatch>.Failure(ex.Error);
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException)
            {
                // JsonElement accessors throw these for input JsonDocument accepted but cannot convert
                // (e.g. an escaped lone surrogate). Report rather than leak.
                return Fail("$", $"body contains a value that cannot be read: {ex.Message}");
            }
        }
    }

    private static bool IsDuplicateProperty(JsonException ex) =>
        ex.Message.Contains("uplicate", StringComparison.Ordinal);

    private static bool IsAllWhitespace(ReadOnlySpan<byte> body)
    {
        foreach (var b in body)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        return true;
    }

    private static ParseOutcome<AlertBatch> Fail(string field, string message) => ParseOutcome<AlertBatch>.Failure(field, message);

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private sealed class PayloadException(AlertParseError error) : Exception(error.ToString())
    {
        public AlertParseError Error { get; } = error;
    }

    /// <summary>Walks a parsed document; throws <see cref="PayloadException"/> (caught above) at the first problem.</summary>
    private sealed class PayloadReader(AlertPayloadLimits limits)
    {
        public ParseOutcome<AlertBatch> ReadCloudEvent(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
                throw Error("$", $"expected a CloudEvent (a JSON object), got {Describe(root.ValueKind)}");
            if (!root.TryGetProperty("specversion", out _))
                throw Error("specversion", "not a CloudEvent: the alerts topic delivers CloudEvents 1.0 (specversion, id, source, type, data), never a bare payload");
            var version = RequiredString(root, "$", "specversion", limits.MaxShortFieldLength);
            if (version != "1.0")
                throw Error("specversion", $"unsupported CloudEvents version '{Printable(version)}'; only \"1.0\" is accepted");
            foreach (var attribute in new[] { "id", "source", "type" })
                if (RequiredString(root, "$", attribute, limits.MaxShortFieldLength * 8).Length == 0)
                    throw Error(attribute, "a CloudEvent attribute must not be empty");
            if (!root.TryGetProperty("data", out var data))
                throw Error("data", "a CloudEvent envelope must carry the alert payload in \"data\"");
            if (data.ValueKind == JsonValueKind.String)
                throw Error("data", "CloudEvent data must be JSON (datacontenttype application/json), got a string");
            return ReadEvent(data, "data");
        }

        private ParseOutcome<AlertBatch> ReadEvent(JsonElement root, string path)
        {
            if (root.ValueKind == JsonValueKind.Array)
                return ParseOutcome<AlertBatch>.Success(new AlertBatch(null, null, 0, ReadAlertArray(root, path, requireStatus: false)));
            if (root.ValueKind != JsonValueKind.Object)
                throw Error(path, $"expected a JSON object, got {Describe(root.ValueKind)}");

            if (root.TryGetProperty("alerts", out _) || root.TryGetProperty("version", out _))
                return ReadWebhook(root, path);

            var alert = ReadAlert(root, path, requireStatus: false);
            return ParseOutcome<AlertBatch>.Success(new AlertBatch(null, null, 0, [alert]));
        }

        public ParseOutcome<AlertBatch> ReadWebhook(JsonElement root, string path = "$")
        {
            var version = RequiredString(root, path, "version", limits.MaxShortFieldLength);
            if (version != SupportedWebhookVersion)
                throw Error(Join(path, "version"), $"unsupported webhook version '{Printable(version)}'; only \"{SupportedWebhookVersion}\" is accepted");

            var receiver = OptionalString(root, path, "receiver", limits.MaxShortFieldLength);
            var groupKey = OptionalString(root, path, "groupKey", limits.MaxShortFieldLength * 8);
            var externalUrl = OptionalString(root, path, "externalURL", limits.MaxUrlLength);
            var status = OptionalString(root, path, "status", limits.MaxShortFieldLength);
            if (status is not null) ParseStatus(status, Join(path, "status"));

            var truncated = 0;
            if (root.TryGetProperty("truncatedAlerts", out var truncatedElement) && truncatedElement.ValueKind != JsonValueKind.Null)
            {
                if (truncatedElement.ValueKind != JsonValueKind.Number || !truncatedElement.TryGetInt32(out truncated) || truncated < 0)
                    throw Error(Join(path, "truncatedAlerts"), $"expected a non-negative integer, got {Raw(truncatedElement)}");
            }

            foreach (var mapName in new[] { "groupLabels", "commonLabels" })
                if (root.TryGetProperty(mapName, out var map) && map.ValueKind != JsonValueKind.Null)
                    ReadStringMap(map, Join(path, mapName), limits.MaxLabelsPerAlert, limits.MaxLabelValueLength, isLabels: true);
            if (root.TryGetProperty("commonAnnotations", out var common) && common.ValueKind != JsonValueKind.Null)
                ReadStringMap(common, Join(path, "commonAnnotations"), limits.MaxAnnotationsPerAlert, limits.MaxAnnotationValueLength, isLabels: false);

            if (!root.TryGetProperty("alerts", out var alerts))
                throw Error(Join(path, "alerts"), "is required");
            if (alerts.ValueKind != JsonValueKind.Array)
                throw Error(Join(path, "alerts"), $"expected an array, got {Describe(alerts.ValueKind)}");

            var parsed = ReadAlertArray(alerts, Join(path, "alerts"), requireStatus: true);
            return ParseOutcome<AlertBatch>.Success(new AlertBatch(receiver, groupKey, truncated, parsed)
            {
                GroupStatus = status,
                ExternalUrl = externalUrl,
            });
        }

        private List<Alert> ReadAlertArray(JsonElement array, string path, bool requireStatus)
        {
            var count = array.GetArrayLength();
            if (count > limits.MaxAlerts)
                throw Error(path, $"holds {count} alerts; the limit is {limits.MaxAlerts}");
            var result = new List<Alert>(count);
            var index = 0;
            foreach (var item in array.EnumerateArray())
                result.Add(ReadAlert(item, $"{path}[{index++}]", requireStatus));
            return result;
        }

        private Alert ReadAlert(JsonElement element, string path, bool requireStatus)
        {
            if (element.ValueKind != JsonValueKind.Object)
                throw Error(path, $"an alert must be a JSON object, got {Describe(element.ValueKind)}");

            if (!element.TryGetProperty("labels", out var labelsElement))
                throw Error(Join(path, "labels"), "is required (an alert is identified by its labels)");
            var labels = ReadStringMap(labelsElement, Join(path, "labels"), limits.MaxLabelsPerAlert, limits.MaxLabelValueLength, isLabels: true);
            if (!labels.TryGetValue("alertname", out var alertName) || alertName.Length == 0)
                throw Error(Join(path, "labels.alertname"), "is required and must not be empty");

            IReadOnlyDictionary<string, string> annotations = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (element.TryGetProperty("annotations", out var annotationsElement) && annotationsElement.ValueKind != JsonValueKind.Null)
                annotations = ReadStringMap(annotationsElement, Join(path, "annotations"), limits.MaxAnnotationsPerAlert, limits.MaxAnnotationValueLength, isLabels: false);

            var statusText = requireStatus
                ? RequiredString(element, path, "status", limits.MaxShortFieldLength)
                : OptionalString(element, path, "status", limits.MaxShortFieldLength);
            var status = statusText is null ? AlertStatus.Firing : ParseStatus(statusText, Join(path, "status"));

            var startsAt = ParseTime(RequiredString(element, path, "startsAt", limits.MaxShortFieldLength), Join(path, "startsAt"))
                ?? throw Error(Join(path, "startsAt"), "must be a real time, not the zero time");
            var endsAtText = OptionalString(element, path, "endsAt", limits.MaxShortFieldLength);
            var endsAt = endsAtText is null ? null : ParseTime(endsAtText, Join(path, "endsAt"));
            if (endsAt is { } end && end < startsAt)
                throw Error(Join(path, "endsAt"), $"is before startsAt ({Rfc3339(end)} < {Rfc3339(startsAt)})");

            var fingerprint = OptionalString(element, path, "fingerprint", limits.MaxFingerprintLength);
            if (fingerprint is not null && (fingerprint.Length == 0 || !fingerprint.All(char.IsAsciiLetterOrDigit)))
                throw Error(Join(path, "fingerprint"), "must be a non-empty run of ASCII letters and digits");
            fingerprint ??= AlertFingerprint.Of(labels);

            var generatorUrl = OptionalString(element, path, "generatorURL", limits.MaxUrlLength);
            if (generatorUrl is { Length: > 0 } && !(Uri.TryCreate(generatorUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                throw Error(Join(path, "generatorURL"), "must be an absolute http(s) URL");

            return new Alert(fingerprint, status, labels, annotations, startsAt, endsAt, string.IsNullOrEmpty(generatorUrl) ? null : generatorUrl);
        }

        private SortedDictionary<string, string> ReadStringMap(JsonElement element, string path, int maxEntries, int maxValueLength, bool isLabels)
        {
            if (element.ValueKind != JsonValueKind.Object)
                throw Error(path, $"expected an object of string values, got {Describe(element.ValueKind)}");
            var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in element.EnumerateObject())
            {
                var name = property.Name;
                var field = Join(path, name);
                if (!IsValidLabelName(name, limits.MaxLabelNameLength))
                    throw Error(Join(path, Printable(name)), $"'{Printable(name)}' is not a valid name (letters, digits and '_', not starting with a digit, at most {limits.MaxLabelNameLength} characters)");
                if (map.Count >= maxEntries)
                    throw Error(path, $"has more than {maxEntries} entries");
                if (property.Value.ValueKind != JsonValueKind.String)
                    throw Error(field, $"expected a string, got {Describe(property.Value.ValueKind)}");
                var value = ReadStringValue(property.Value, field);
                if (value.Length > maxValueLength)
                    throw Error(field, $"is {value.Length} characters; the limit is {maxValueLength}");
                if (isLabels)
                {
                    if (ContainsUnsafeCharacter(value))
                        throw Error(field, "label values must not contain control or bidirectional-override characters");
                }
                else
                {
                    value = SanitizeText(value);
                }
                if (!map.TryAdd(name, value))
                    throw Error(field, "appears more than once");
            }
            return map;
        }

        private string RequiredString(JsonElement parent, string path, string name, int maxLength) =>
            OptionalString(parent, path, name, maxLength) ?? throw Error(Join(path, name), "is required");

        private static string? OptionalString(JsonElement parent, string path, string name, int maxLength)
        {
            if (!parent.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return null;
            var field = Join(path, name);
            if (element.ValueKind != JsonValueKind.String)
                throw Error(field, $"expected a string, got {Describe(element.ValueKind)}");
            var value = ReadStringValue(element, field);
            if (value.Length > maxLength)
                throw Error(field, $"is {value.Length} characters; the limit is {maxLength}");
            if (ContainsUnsafeCharacter(value))
                throw Error(field, "must not contain control or bidirectional-override characters");
            return value;
        }

        private static string ReadStringValue(JsonElement element, string field)
        {
            try
            {
                return element.GetString() ?? "";
            }
            catch (InvalidOperationException)
            {
                throw Error(field, "is not valid text (invalid UTF-8 or an unpaired surrogate escape)");
            }
        }

        private static AlertStatus ParseStatus(string text, string field) => text switch
        {
            "firing" => AlertStatus.Firing,
            "resolved" => AlertStatus.Resolved,
            _ => throw Error(field, $"'{Printable(text)}' is not a status; expected \"firing\" or \"resolved\""),
        };

        private static DateTimeOffset? ParseTime(string text, string field)
        {
            if (!Rfc3339Time.TryParse(text, out var value))
                throw Error(field, $"'{Printable(text)}' is not an RFC 3339 timestamp (e.g. 2026-11-25T00:40:09.123Z)");
            if (value.Year > MaxTimestampYear)
                throw Error(field, $"'{Printable(text)}' is after the year {MaxTimestampYear}; no alert starts or ends that late");
            // Alertmanager writes Go's zero time for "no end yet".
            return value.Year == 1 ? null : value;
        }

        private static PayloadException Error(string field, string message) => new(new AlertParseError(field, message));
    }

    private static string Join(string path, string name) => path == "$" ? name : $"{path}.{name}";

    private static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    private static string Raw(JsonElement element)
    {
        var raw = element.GetRawText();
        return raw.Length > 40 ? raw[..40] + "…" : raw;
    }

    internal static bool IsValidLabelName(string name, int maxLength)
    {
        if (name.Length == 0 || name.Length > maxLength) return false;
        if (!(char.IsAsciiLetter(name[0]) || name[0] == '_')) return false;
        foreach (var c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_')) return false;
        return true;
    }

    internal static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    /// <summary>Zero-width and other format characters: shown escaped so a message says what is there.</summary>
    internal static bool IsInvisible(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.PrivateUse;

    internal static bool ContainsUnsafeCharacter(string value)
    {
        foreach (var c in value)
            if (char.IsControl(c) || IsBidiControl(c)) return true;
        return false;
    }

    /// <summary>Annotations are free text written by humans and sometimes by templates fed by user input.
    /// Keep newlines and tabs, replace other control and bidi-override characters so nothing downstream
    /// (a terminal, a log line, the model prompt) can be steered by them.</summary>
    internal static string SanitizeText(string value)
    {
        if (!value.Any(c => (char.IsControl(c) && c is not ('\n' or '\t')) || IsBidiControl(c))) return value;
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
            builder.Append((char.IsControl(c) && c is not ('\n' or '\t')) || IsBidiControl(c) ? '\uFFFD' : c);
        return builder.ToString();
    }

    /// <summary>Shows a rejected value in an error message without echoing control characters or huge input.</summary>
    internal static string Printable(string value)
    {
        var shown = value.Length > 64 ? value[..64] + "…" : value;
        var builder = new StringBuilder(shown.Length);
        foreach (var c in shown)
        {
            if (char.IsControl(c) || IsBidiControl(c) || IsInvisible(c)) builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else builder.Append(c);
        }
        return builder.ToString();
    }
}
