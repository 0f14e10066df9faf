using System.Security.Claims;
using Autopilot.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Autopilot.Api.Identity;

/// <summary>JWT bearer authentication for the human-facing endpoints, with 401/403 answered as problem details.</summary>
public static class IdentityServiceCollectionExtensions
{
    public const string ApproverPolicy = "autopilot-person";

    public static IServiceCollection AddAutopilotIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IdentityOptions>().Bind(configuration.GetSection(IdentityOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<IdentityOptions>>((jwt, identity) =>
        {
            var options = identity.Value;
            jwt.MapInboundClaims = false; // keep "sub" and "groups" as the token names them
            if (options.Authority.Length > 0) jwt.Authority = options.Authority;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = options.Issuer.Length > 0 ? options.Issuer : options.Authority,
                ValidateIssuer = true,
                ValidAudience = options.Audience,
                ValidateAudience = true,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = options.SubjectClaim,
                IssuerSigningKeys = (options.SigningKeys ?? []).Select(k => new SymmetricSecurityKey(IdentityOptions.KeyBytes(k))),
                // Without configured keys or discovery nothing validates: approvals stay closed.
                RequireSignedTokens = true,
            };
            jwt.Events = new JwtBearerEvents
            {
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    var detail = !options.Configured
                        ? $"Approvals need a person's token, and this app has no identity provider configured ({IdentityOptions.Section}:Authority or SigningKeys)."
                        : context.AuthenticateFailure is { } failure ? $"The bearer token was refused: {failure.Message}" : "Send a bearer token (Authorization: Bearer <JWT>) from the identity provider.";
                    await Problems(context.HttpContext).WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Not signed in", detail);
                },
                OnForbidden = async context =>
                    await Problems(context.HttpContext).WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Not allowed", "This identity may not do this."),
            };
        });
        services.AddAuthorizationBuilder().AddPolicy(ApproverPolicy, policy => policy.RequireAuthenticatedUser());
        return services;
    }

    /// <summary>The person's subject and groups, as the configured claims name them.</summary>
    public static (string Subject, IReadOnlyList<string> Groups) Person(this ClaimsPrincipal user, IdentityOptions options) =>
        (user.FindFirst(options.SubjectClaim)?.Value ?? "",
         [.. user.FindAll(options.GroupsClaim).Select(c => c.Value)]);

    // Written by the app's problem details service, like every other refusal.
    private static IProblemDetailsService Problems(HttpContext http) => http.RequestServices.GetRequiredService<IProblemDetailsService>();
}
