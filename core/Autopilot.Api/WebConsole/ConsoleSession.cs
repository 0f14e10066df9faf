using Microsoft.AspNetCore.Http;

namespace Autopilot.Api.WebConsole;

/// <summary>
/// A person's sign-in to the console: their token in a cookie only the browser holds (HttpOnly: no script reads it),
/// sent only to /console (Path) and never from another site's page (SameSite=Strict), so the JSON API stays bearer-only
/// and a form on another site cannot act as the person. The token is checked on every request, exactly as a bearer.
/// </summary>
public static class ConsoleSession
{
    public const string Cookie = "autopilot-console-token";

    /// <summary>A pasted token longer than this is not a JWT the identity provider issued.</summary>
    public const int MaxTokenLength = 8192;

    /// <summary>The console cookie's token for a console request without an Authorization header; null otherwise.</summary>
    public static string? TokenOf(HttpRequest request) =>
        request.Path.StartsWithSegments(OperatorConsole.Root) && !request.Headers.ContainsKey("Authorization")
            ? request.Cookies[Cookie] is { Length: > 0 } token ? token : null
            : null;

    public static void Start(HttpContext http, string token) => http.Response.Cookies.Append(Cookie, token, Options(http));

    public static void End(HttpContext http) => http.Response.Cookies.Delete(Cookie, Options(http));

    private static CookieOptions Options(HttpContext http) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = http.Request.IsHttps,
        Path = OperatorConsole.Root,
        IsEssential = true,
    };
}
