using Dapr.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Autopilot.Hosting.Sidecar;

/// <summary>
/// Dapr's app API token on the routes only the sidecar calls (actor calls, topic deliveries, service invocation): the
/// sidecar sends APP_API_TOKEN as the dapr-api-token header, and Dapr.AspNetCore's "Dapr" authentication scheme checks
/// it. A request without it is refused with 401 problem details before the endpoint runs, so reaching the app port (a
/// pod beside it, a port-forward, a NetworkPolicy gap) is not enough to act as the sidecar. Without a token the app does
/// not start, unless <see cref="SidecarOptions.AllowWithoutAppApiToken"/> says it is a development sidecar.
/// </summary>
public static class SidecarAuthentication
{
    public const string Policy = "dapr-sidecar";

    /// <summary>Dapr.AspNetCore's scheme name.</summary>
    public const string Scheme = "Dapr";

    public static IHostApplicationBuilder AddSidecarAuthentication(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddOptions<SidecarOptions>().Bind(configuration.GetSection(SidecarOptions.Section))
            .PostConfigure(o => o.AppApiToken ??= configuration[SidecarOptions.AppApiTokenKey] is { Length: > 0 } token ? token : null)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddAuthentication().AddDapr();
        builder.Services.AddAuthorization();
        builder.Services.AddOptions<DaprAuthenticationOptions>(Scheme)
            .Configure<IOptions<SidecarOptions>>((dapr, sidecar) => dapr.Token = sidecar.Value.AppApiToken!);
        // The policy is built when first used, from the validated options: with no token (the development switch) it
        // lets every request through, as a sidecar without a token would.
        builder.Services.AddOptions<AuthorizationOptions>().Configure<IOptions<SidecarOptions>>((authorization, sidecar) =>
        {
            if (sidecar.Value.AppApiToken is null) authorization.AddPolicy(Policy, p => p.RequireAssertion(_ => true));
            else authorization.AddDapr(Policy);
        });
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, SidecarRefusal>();
        return builder;
    }

    /// <summary>Only the sidecar, carrying the app API token, may call these endpoints.</summary>
    public static TBuilder RequireSidecar<TBuilder>(this TBuilder endpoints) where TBuilder : IEndpointConventionBuilder =>
        endpoints.RequireAuthorization(Policy);

    /// <summary>Dapr's handler answers a missing or wrong token with an empty 401; this writes it as problem details,
    /// like every other refusal, and leaves every other policy's outcome to the framework.</summary>
    private sealed class SidecarRefusal(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
        {
            if (result.Succeeded || !policy.AuthenticationSchemes.Contains(Scheme))
            {
                await _default.HandleAsync(next, context, policy, result);
                return;
            }
            await problems.WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Not from the Dapr sidecar",
                "This route is called only by the app's Dapr sidecar, which sends the app API token (header dapr-api-token).");
        }
    }
}
