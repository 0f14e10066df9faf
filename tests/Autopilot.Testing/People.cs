using Autopilot.Api.Identity;

namespace Autopilot.Testing;

/// <summary>Bearer tokens of people, as the tests' identity provider (<see cref="AppSettings.Identity"/>) signs them.</summary>
public static class People
{
    public static string Token(string subject, params string[] groups) =>
        LocalTokens.Issue(AppSettings.Identity, subject, groups, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
}
