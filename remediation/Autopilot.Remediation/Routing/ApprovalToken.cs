using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Autopilot.Remediation.Routing;

/// <summary>Outcome of checking an approval token against the change it is presented with.</summary>
public enum ApprovalCheck
{
    Valid,
    /// <summary>Not a token of our format at all.</summary>
    Malformed,
    /// <summary>Well-formed, but not signed with our key (forged or tampered).</summary>
    BadSignature,
    /// <summary>Genuine, but its expiry has passed.</summary>
    Expired,
    /// <summary>Genuine and current, but signed for a different change than the one presented.</summary>
    Mismatch,
}

/// <summary>
/// The guardrail's approval of one exact change: <c>v1.{expiry unix seconds}.{digest}.{mac}</c> where digest is
/// SHA-256 over the canonical form of the change and mac is HMAC-SHA256(key, "v1.{expiry}.{digest}"), both
/// base64url without padding. Carrying the digest lets the verifier tell a forged token (bad mac) from a genuine
/// token presented with a different change (mismatch), which is what an operator needs to read in the log.
/// </summary>
public static class ApprovalToken
{
    public const string Version = "v1";

    /// <summary>HMAC-SHA256 keys shorter than the hash output weaken it; we refuse them.</summary>
    public const int MinimumKeyBytes = 32;

    public static string Sign(RouteChange change, DateTimeOffset expiresAt, byte[] key) =>
        SignDigest(Digest(CanonicalForm(change)), expiresAt, key);

    public static string SignUndo(UndoRequest request, DateTimeOffset expiresAt, byte[] key) =>
        SignDigest(Digest(CanonicalForm(request)), expiresAt, key);

    public static ApprovalCheck Verify(string? token, RouteChange change, DateTimeOffset now, byte[] key) =>
        VerifyDigest(token, Digest(CanonicalForm(change)), now, key);

    public static ApprovalCheck VerifyUndo(string? token, UndoRequest request, DateTimeOffset now, byte[] key) =>
        VerifyDigest(token, Digest(CanonicalForm(request)), now, key);

    /// <summary>
    /// Turns the configured secret into key bytes: "base64:..." is decoded, anything else is taken as UTF-8.
    /// Throws <see cref="ArgumentException"/> naming what is wrong when the key is too short or not base64.
    /// </summary>
    public static byte[] KeyFromSecret(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
            throw new ArgumentException($"The approval signing key is empty; set at least {MinimumKeyBytes} bytes (e.g. 'base64:' + 32 random bytes in base64).", nameof(secret));
        byte[] key;
        if (secret.StartsWith("base64:", StringComparison.Ordinal))
        {
            try { key = Convert.FromBase64String(secret["base64:".Length..]); }
            catch (FormatException) { throw new ArgumentException("The approval signing key starts with 'base64:' but the rest is not valid base64.", nameof(secret)); }
        }
        else key = Encoding.UTF8.GetBytes(secret);
        EnsureKeyLength(key);
        return key;
    }

    /// <summary>The exact bytes an approval of <paramref name="change"/> covers: every field, in a fixed order. A
    /// one-rule change keeps the v1 form, so approvals signed before multi-rule changes still verify; a change of
    /// several rules is v2, listing each rule with its expected and new weights.</summary>
    public static byte[] CanonicalForm(RouteChange change) => WriteArray(w =>
    {
        var multiRule = change.MoreRules is { Count: > 0 };
        w.WriteStringValue(multiRule ? "autopilot.change.v2" : "autopilot.change.v1");
        w.WriteStringValue(change.ChangeId);
        w.WriteStringValue(change.IncidentId);
        w.WriteStringValue(change.Route.Namespace);
        w.WriteStringValue(change.Route.Name);
        if (multiRule)
        {
            w.WriteStringValue(change.Kind.ToString());
            w.WriteStartArray();
            foreach (var rule in change.Rules)
            {
                w.WriteStartArray();
                w.WriteNumberValue(rule.RuleIndex);
                WriteWeights(w, rule.Before);
                WriteWeights(w, rule.After);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        else
        {
            w.WriteNumberValue(change.RuleIndex);
            w.WriteStringValue(change.Kind.ToString());
            WriteWeights(w, change.ExpectedWeights);
            WriteWeights(w, change.NewWeights);
        }
        if (change.RateLimit is { } limit)
        {
            w.WriteStartArray();
            w.WriteNumberValue(limit.RequestsPerSecond);
            w.WriteNumberValue(limit.Burst);
            w.WriteEndArray();
        }
        else w.WriteNullValue();
        w.WriteStringValue(change.Reason);
        w.WriteBooleanValue(change.DryRun);
    });

    public static byte[] CanonicalForm(UndoRequest request) => WriteArray(w =>
    {
        w.WriteStringValue("autopilot.undo.v1");
        w.WriteStringValue(request.ChangeId);
        w.WriteStringValue(request.UndoChangeId);
        w.WriteStringValue(request.IncidentId);
        w.WriteStringValue(request.Reason);
        if (request.Route is { } route) w.WriteStringValue(route.ToString());
        else w.WriteNullValue();
    });

    private static string SignDigest(byte[] digest, DateTimeOffset expiresAt, byte[] key)
    {
        EnsureKeyLength(key);
        var header = $"{Version}.{expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}.{Base64Url(digest)}";
        return header + "." + Base64Url(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(header)));
    }

    private static ApprovalCheck VerifyDigest(string? token, byte[] digest, DateTimeOffset now, byte[] key)
    {
        EnsureKeyLength(key);
        if (string.IsNullOrEmpty(token) || token.Length > 512) return ApprovalCheck.Malformed;
        var parts = token.Split('.');
        if (parts.Length != 4 || parts[0] != Version) return ApprovalCheck.Malformed;
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)) return ApprovalCheck.Malformed;
        if (!TryFromBase64Url(parts[2], out var tokenDigest) || tokenDigest.Length != 32) return ApprovalCheck.Malformed;
        if (!TryFromBase64Url(parts[3], out var mac) || mac.Length != 32) return ApprovalCheck.Malformed;

        var header = token[..token.LastIndexOf('.')];
        var expected = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(header));
        if (!CryptographicOperations.FixedTimeEquals(expected, mac)) return ApprovalCheck.BadSignature;
        if (expiry <= now.ToUnixTimeSeconds()) return ApprovalCheck.Expired;
        return CryptographicOperations.FixedTimeEquals(tokenDigest, digest) ? ApprovalCheck.Valid : ApprovalCheck.Mismatch;
    }

    private static void EnsureKeyLength(byte[] key)
    {
        if (key is null || key.Length < MinimumKeyBytes)
            throw new ArgumentException($"The approval signing key has {key?.Length ?? 0} bytes; it needs at least {MinimumKeyBytes}.", nameof(key));
    }

    private static byte[] Digest(byte[] canonical) => SHA256.HashData(canonical);

    private static byte[] WriteArray(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            body(writer);
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteWeights(Utf8JsonWriter w, IReadOnlyList<BackendWeight> weights)
    {
        w.WriteStartArray();
        foreach (var weight in weights)
        {
            w.WriteStartArray();
            w.WriteStringValue(weight.Name);
            w.WriteNumberValue(weight.Weight);
            w.WriteEndArray();
        }
        w.WriteEndArray();
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryFromBase64Url(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length > 64) return false;
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded = padded.PadRight(padded.Length + (4 - padded.Length % 4) % 4, '=');
        var buffer = new byte[48];
        if (!Convert.TryFromBase64String(padded, buffer, out var written)) return false;
        bytes = buffer[..written];
        return true;
    }
}
