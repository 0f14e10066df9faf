using Autopilot.Api.Guardrail;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.Api.WebConsole;

/// <summary>
/// The operator console: Razor components rendered on the server (no client framework, nothing fetched from elsewhere,
/// so it works air-gapped) at /console, over the same ports as the JSON API. Answers and undos go through
/// <see cref="ChangeDesk"/>, as the API's do. A person signs in by pasting their identity provider's token: it is kept
/// in an HttpOnly, SameSite=Strict cookie scoped to /console and validated by the same JWT bearer handler as the API.
/// </summary>
public static class OperatorConsole
{
    public const string Root = "/console";

    public static IServiceCollection AddOperatorConsole(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConsoleOptions>().Bind(configuration.GetSection(ConsoleOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddRazorComponents();
        services.AddAntiforgery();
        services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, jwt =>
        {
            var received = jwt.Events.OnMessageReceived;
            jwt.Events.OnMessageReceived = async context =>
            {
                await received(context);
                context.Token ??= ConsoleSession.TokenOf(context.Request);
            };
        });
        return services;
    }

    public static IEndpointRouteBuilder MapOperatorConsole(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", () => Results.Redirect(Root + "/")).ExcludeFromDescription();
        endpoints.MapRazorComponents<ConsoleApp>();
        endpoints.MapConsoleForms();
        return endpoints;
    }
}
