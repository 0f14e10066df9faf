namespace Autopilot.Hosting;

/// <summary>The rule every shared secret token follows (the webhook's bearer token, Dapr's app API token): random and
/// long enough to guess at no better than chance, and required unless a development switch lets the app run without.</summary>
public static class SharedTokens
{
    public const int MinLength = 16;

    /// <summary>What is wrong with the token configured at <paramref name="key"/>, or null. A blank token would look
    /// like protection and check nothing, so it is refused like a short one.</summary>
    /// <param name="whenMissing">The message for a token that is not set when <paramref name="allowMissing"/> is false:
    /// what it protects and where it comes from.</param>
    public static string? Problem(string key, string? token, bool allowMissing, string whenMissing)
    {
        if (token is null) return allowMissing ? null : whenMissing;
        var length = token.Trim().Length;
        if (length == 0) return $"{key} is blank; set a random token of at least {MinLength} characters (e.g. openssl rand -base64 32).";
        return length < MinLength
            ? $"{key} is {length} characters; use a random token of at least {MinLength} (e.g. openssl rand -base64 32)."
            : null;
    }
}
