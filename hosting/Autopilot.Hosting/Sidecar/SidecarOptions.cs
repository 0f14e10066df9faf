using System.ComponentModel.DataAnnotations;

namespace Autopilot.Hosting.Sidecar;

/// <summary>Configuration section "Autopilot:Sidecar" and Dapr's own APP_API_TOKEN: how a Dapr app knows a request
/// came from its sidecar.</summary>
public sealed class SidecarOptions : IValidatableObject
{
    public const string Section = "Autopilot:Sidecar";

    /// <summary>The environment variable Dapr's injector sets from annotation dapr.io/app-token-secret, and the
    /// sidecar sends back on every call to the app as the dapr-api-token header.</summary>
    public const string AppApiTokenKey = "APP_API_TOKEN";

    /// <summary>From <see cref="AppApiTokenKey"/>, as Dapr names it (not a key of the section).</summary>
    public string? AppApiToken { get; set; }

    /// <summary>A development switch: with no app API token, the routes the sidecar calls accept any caller that can
    /// reach the app port (a self-hosted `dapr run` without APP_API_TOKEN exported).</summary>
    public bool AllowWithoutAppApiToken { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SharedTokens.Problem(AppApiTokenKey, AppApiToken, AllowWithoutAppApiToken,
                $"{AppApiTokenKey} is not set, so the routes Dapr's sidecar calls (actor calls, topic deliveries, service invocation) " +
                $"would answer anyone who reaches the app port. Set it from a Secret (Kubernetes: annotation dapr.io/app-token-secret), " +
                $"export it before `dapr run`, or, on a development machine only, set {Section}:AllowWithoutAppApiToken=true.") is { } problem)
            yield return new ValidationResult(problem, [nameof(AppApiToken)]);
    }
}
