using Autopilot.InferencePool.Client;
using Autopilot.Hosting;
using Autopilot.Hosting.Sidecar;
using Autopilot.InferencePool.Engine.Hosting;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Autopilot.InferencePool;

/// <summary>The pool's HTTP API: leases (POST/DELETE /sessions), completions on a lease, and GET /pool.</summary>
public static class PoolEndpoints
{
    public const string AppId = "inference-pool";

    /// <summary>The engine from section "InferencePool", the sidecar's app API token and the handler that turns the
    /// pool's errors into problem details.</summary>
    public static IHostApplicationBuilder AddInferencePoolServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddInferencePoolEngine(builder.Configuration);
        builder.AddSidecarAuthentication();
        builder.Services.AddExceptionHandler<PoolExceptionHandler>();
        return builder;
    }

    public static IEndpointRouteBuilder MapInferencePool(this IEndpointRouteBuilder app)
    {
        // Only the pool's own sidecar calls it (service invocation from the incident actors): it must bring the app API token.
        var endpoints = app.MapGroup("").RequireSidecar();
        endpoints.MapPost("/sessions", async (HttpContext http, PoolRuntime runtime) =>
        {
            if (Caller(http) is not { } caller) return MissingCaller();
            if (!TryReadMaxWait(http, out var maxWait))
                throw new PoolRequestException(PoolHeaders.MaxWaitQuery, $"must be a whole number of milliseconds from 0 to {PoolHeaders.MaxWaitLimitMs}.");
            var lease = await runtime.RequireEngine().LeaseAsync(caller, maxWait, http.RequestAborted);
            return Results.Created($"/sessions/{lease.LeaseId}", lease);
        });

        endpoints.MapPost("/sessions/{leaseId}/completions", async (string leaseId, [FromBody] CompletionRequest? request,
            HttpContext http, PoolRuntime runtime) =>
        {
            if (Caller(http) is not { } caller) return MissingCaller();
            if (request?.Messages is null)
                throw new PoolRequestException("messages", "the body must be a completion request with a messages array.");
            // A caller that goes away cancels the generation (its KV cells are freed); nobody reads an answer then.
            return Results.Ok(await runtime.RequireEngine().CompleteAsync(caller, leaseId, request, http.RequestAborted));
        });

        endpoints.MapDelete("/sessions/{leaseId}", (string leaseId, HttpContext http, PoolRuntime runtime) =>
        {
            if (Caller(http) is not { } caller) return MissingCaller();
            return runtime.RequireEngine().Release(caller, leaseId) ? Results.NoContent() : throw new LeaseNotFoundException(leaseId);
        });

        endpoints.MapGet("/pool", (PoolRuntime runtime) => runtime.Engine is { } engine
            ? Results.Ok(engine.Status)
            : Results.Problem("The model is still loading.", statusCode: StatusCodes.Status503ServiceUnavailable));
        return app;
    }

    /// <summary>The Dapr sidecar's caller app-id when present (it cannot be forged through Dapr), else our own header.</summary>
    private static string? Caller(HttpContext http)
    {
        foreach (var header in new[] { PoolHeaders.DaprCallerAppId, PoolHeaders.Caller })
            if (http.Request.Headers[header].ToString() is { Length: > 0 and <= 200 } value)
                return value;
        return null;
    }

    private static bool TryReadMaxWait(HttpContext http, out TimeSpan? maxWait)
    {
        maxWait = null;
        if (!http.Request.Query.TryGetValue(PoolHeaders.MaxWaitQuery, out var values)) return true;
        if (values.Count != 1
            || !int.TryParse(values[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            || ms > PoolHeaders.MaxWaitLimitMs)
            return false;
        maxWait = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    private static IResult MissingCaller() => Results.Problem(
        $"Say who is calling: the '{PoolHeaders.DaprCallerAppId}' header (set by Dapr) or '{PoolHeaders.Caller}' (1 to 200 characters).",
        statusCode: StatusCodes.Status400BadRequest, title: "Caller identity missing",
        extensions: new Dictionary<string, object?> { ["field"] = PoolHeaders.Caller });
}

/// <summary>The pool's refusals as problem details: 429 busy (with Retry-After), 404/403/409 for a lease, 400 naming the
/// field, 503 when the pool cannot serve.</summary>
public sealed class PoolExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is not InferencePoolException e) return false;
        var (status, title) = e switch
        {
            PoolBusyException => (StatusCodes.Status429TooManyRequests, "Inference pool busy"),
            LeaseNotFoundException => (StatusCodes.Status404NotFound, "Lease not found"),
            LeaseOwnershipException => (StatusCodes.Status403Forbidden, "Lease belongs to another caller"),
            LeaseBusyException => (StatusCodes.Status409Conflict, "Lease busy"),
            PoolRequestException => (StatusCodes.Status400BadRequest, "Invalid request"),
            _ => (StatusCodes.Status503ServiceUnavailable, "Inference pool unavailable"),
        };
        if (e is PoolBusyException busy)
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(busy.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return e is PoolRequestException invalid
            ? await problems.WriteProblemAsync(http, status, title, invalid.Detail, new Dictionary<string, object?> { ["field"] = invalid.Field })
            : await problems.WriteProblemAsync(http, status, title, e.Message);
    }
}
