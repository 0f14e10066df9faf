using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Autopilot.Hosting;

public static class ProblemResponses
{
    /// <summary>What every exception handler answers: the status, and a problem-details body with its title, detail
    /// and extensions (e.g. "field"), written by the app's problem details service.</summary>
    public static ValueTask<bool> WriteProblemAsync(this IProblemDetailsService problems, HttpContext http, int status, string title,
        string? detail, IReadOnlyDictionary<string, object?>? extensions = null)
    {
        http.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>()) problem.Extensions[key] = value;
        return problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }
}
