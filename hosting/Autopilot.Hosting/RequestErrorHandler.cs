using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Autopilot.Hosting;

/// <summary>
/// The exception handler every app shares: a request the framework could not read (a malformed or oversized body)
/// is a 400/413 problem saying why, and a request whose caller has gone away gets nothing. Anything else passes on,
/// to an app's own handler (its domain exceptions) or to the framework's, which logs it and answers a 500 problem
/// that names no internals.
/// </summary>
public sealed class RequestErrorHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (exception is OperationCanceledException && http.RequestAborted.IsCancellationRequested) return true;
        return exception is BadHttpRequestException bad && await problems.WriteProblemAsync(http, bad.StatusCode, "Bad request", bad.Message);
    }
}
