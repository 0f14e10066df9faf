using Autopilot.Api.Guardrail;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Autopilot.Api.WebConsole;

/// <summary>
/// What the console's forms post to: sign in and out, answer a change waiting for approval, undo an applied change.
/// Each form carries an antiforgery token (checked because the handlers bind form fields), acts as the signed-in person
/// through <see cref="ChangeDesk"/>, and answers with a redirect to the page that shows the outcome, or a page that says
/// why not with the status the API would give (401 not signed in, 403 not an approver, 404, 409).
/// </summary>
internal static class ConsoleForms
{
    public static IEndpointRouteBuilder MapConsoleForms(this IEndpointRouteBuilder endpoints)
    {
        var forms = endpoints.MapGroup(OperatorConsole.Root);
        forms.MapPost("/session", ([FromForm] string? token, HttpContext http) =>
        {
            token = token?.Trim();
            if (string.IsNullOrEmpty(token) || token.Length > ConsoleSession.MaxTokenLength)
                return Refused(new DeskRefusal(400, "No token", "Paste the token your identity provider issued you (a JWT); in stand-alone mode it is in the state directory's operator-token file."));
            ConsoleSession.Start(http, token);
            return Results.LocalRedirect(ConsoleText.SignInPath);
        });
        forms.MapPost("/session/end", (IFormCollection form, HttpContext http) =>
        {
            ConsoleSession.End(http);
            return Results.LocalRedirect(ConsoleText.SignInPath);
        });
        forms.MapPost("/answers/{ns}/{route}/{changeId}", async (string ns, string route, string changeId, [FromForm] string? answer,
            [FromForm] string? reason, [FromForm] string? incident, HttpContext http, ChangeDesk desk, CancellationToken ct) =>
        {
            if (answer is not ("approve" or "reject"))
                return Refused(new DeskRefusal(400, "Invalid answer", "answer: approve or reject", "answer"));
            var outcome = await desk.AnswerAsync(new RouteRef(ns, route), changeId, answer == "approve", string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(), http.User, ct);
            return outcome.Refusal is { } refusal
                ? Refused(refusal)
                : Results.LocalRedirect(string.IsNullOrEmpty(incident) ? ConsoleText.ApprovalsPath : ConsoleText.IncidentPath(incident));
        });
        forms.MapPost("/undo/{incidentId}", async (string incidentId, IFormCollection form, HttpContext http, IIncidentJournal journal, ChangeDesk desk,
            CancellationToken ct) =>
        {
            if (await journal.GetAsync(incidentId, ct) is not { } incident)
                return Refused(new DeskRefusal(404, "No such incident", $"No incident with id '{incidentId}'."));
            var outcome = await desk.UndoAsync(incident, http.User, ct);
            return outcome.Refusal is { } refusal ? Refused(refusal) : Results.LocalRedirect(ConsoleText.RoutesPath);
        });
        return endpoints;
    }

    private static IResult Refused(DeskRefusal refusal) =>
        new RazorComponentResult<RefusalPage>(new Dictionary<string, object?> { [nameof(RefusalPage.Refusal)] = refusal }) { StatusCode = refusal.Status };
}
