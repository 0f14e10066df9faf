using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Autopilot.Api.Identity;

/// <summary>
/// Issues HMAC-signed JWTs for an identity configured with <see cref="IdentityOptions.SigningKeys"/>: the stand-alone
/// host's printed operator token, and tests. Production uses the organisation's identity provider instead.
/// </summary>
public static class LocalTokens
{
    public static string Issue(IdentityOptions options, string subject, IReadOnlyList<string> groups, TimeSpan lifetime, DateTimeOffset now)
    {
        var key = options.SigningKeys is { Count: > 0 } keys && IdentityOptions.KeyBytes(keys[0]) is { } bytes
            ? new SymmetricSecurityKey(bytes)
            : throw new InvalidOperationException($"{IdentityOptions.Section}:SigningKeys is empty; a local token needs a key to sign with.");
        var claims = new List<Claim> { new(options.SubjectClaim, subject) };
        claims.AddRange(groups.Select(g => new Claim(options.GroupsClaim, g)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }
}
