using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Autopilot.Api.Identity;
using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Routing;
using Autopilot.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Autopilot.Actors.Tests.Host;

/// <summary>Only a signed-in person the route's policy names may answer an approval, and the answer is recorded
/// against the token's subject.</summary>
public sealed class ApprovalIdentityTests : IDisposable
{
    private const string Policy =
        """
        version: 1
        policies:
          - name: checkout
            selector:
              route: shop/checkout
            allowed_actions: [shift_traffic, rollback_canary, isolate_backend]
            require_approval: [isolate_backend]
            approvers: [group:payments-sre, user:dana]
          - name: everything-else
            selector:
              default: true
            allowed_actions: [rollback_canary]
            require_approval: [rollback_canary]
        """;

    private readonly ActorsHostFactory _factory = new();
    private readonly string _policies = Directory.CreateTempSubdirectory("autopilot-approvers-").FullName;
    private readonly RecordingGuardrail _guardrail = new();
    private readonly WebApplicationFactory<Program> _app;

    public ApprovalIdentityTests()
    {
        File.WriteAllText(Path.Combine(_policies, "policy.yaml"), Policy);
        _app = _factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Autopilot:Guardrail:PolicyDirectory", _policies);
            b.ConfigureTestServices(s => s.AddSingleton<IGuardrailGateway>(_guardrail));
        });
    }

    public void Dispose()
    {
        _app.Dispose();
        _factory.Dispose();
    }

    private async Task<HttpResponseMessage> AnswerAsync(string? token, object body, string route = "shop/checkout")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/guardrail/{route}/approvals/change-1") { Content = JsonContent.Create(body) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _app.CreateClient().SendAsync(request);
    }

    [Fact]
    public async Task Without_a_token_nobody_can_approve()
    {
        var response = await AnswerAsync(null, new { approved = true });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_guardrail.Answers);
    }

    [Fact]
    public async Task A_token_of_another_issuer_or_past_its_lifetime_is_refused()
    {
        var foreign = LocalTokens.Issue(new IdentityOptions { Issuer = "someone-else", SigningKeys = AppSettings.Identity.SigningKeys }, "dana", [], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var expired = LocalTokens.Issue(AppSettings.Identity, "dana", [], TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow.AddHours(-2));

        Assert.Equal(HttpStatusCode.Unauthorized, (await AnswerAsync(foreign, new { approved = true })).StatusCode);
        var late = await AnswerAsync(expired, new { approved = true });
        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
        Assert.Contains("refused", await late.Content.ReadAsStringAsync());
        Assert.Empty(_guardrail.Answers);
    }

    [Fact]
    public async Task The_approver_recorded_is_the_tokens_subject_and_a_name_in_the_body_is_refused()
    {
        var byGroup = await AnswerAsync(People.Token("carol", "payments-sre"), new { approved = true, reason = "checked the canary" });
        var byName = await AnswerAsync(People.Token("dana"), new { approved = false });
        var impersonating = await AnswerAsync(People.Token("carol", "payments-sre"), new { approved = true, approver = "the-cto" });

        Assert.Equal(HttpStatusCode.OK, byGroup.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byName.StatusCode);
        Assert.Equal(["carol", "dana"], _guardrail.Answers.Select(a => a.Approver));
        Assert.Equal(HttpStatusCode.BadRequest, impersonating.StatusCode);
        Assert.Contains("subject of your bearer token", await impersonating.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Only_the_policys_approvers_may_answer_and_the_autopilot_never()
    {
        var outsider = await AnswerAsync(People.Token("bob", "frontend"), new { approved = true });
        var autopilot = await AnswerAsync(People.Token("system:autopilot", "payments-sre"), new { approved = true });
        // A route whose policy names no approvers: any signed-in person, still never the autopilot.
        var anyone = await AnswerAsync(People.Token("bob"), new { approved = true }, "shop/cart");

        Assert.Equal(HttpStatusCode.Forbidden, outsider.StatusCode);
        Assert.Contains("not among policy checkout's approvers", await outsider.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, autopilot.StatusCode);
        Assert.Contains("may never approve", await autopilot.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, anyone.StatusCode);
        Assert.Equal(["bob"], _guardrail.Answers.Select(a => a.Approver));
    }

    private sealed class RecordingGuardrail : IGuardrailGateway
    {
        public ConcurrentQueue<ApprovalAnswer> Answers { get; } = new();

        public Task<GuardrailDecision?> AnswerApprovalAsync(RouteRef route, ApprovalAnswer answer, CancellationToken ct)
        {
            Answers.Enqueue(answer);
            return Task.FromResult<GuardrailDecision?>(new GuardrailDecision(answer.ChangeId, answer.Approved ? DecisionStatus.Applied : DecisionStatus.Rejected,
                null, null, null, null, DateTimeOffset.UtcNow));
        }

        public Task<GuardrailDecision> SubmitAsync(ProposalSubmission submission, CancellationToken ct) => throw new NotSupportedException();
        public Task<GuardrailDecision> UndoAsync(UndoSubmission submission, CancellationToken ct) => throw new NotSupportedException();
        public Task<RouteState> ReadRouteAsync(RouteRef route, CancellationToken ct) => throw new NotSupportedException();
        public Task<GuardrailDecision?> GetDecisionAsync(RouteRef route, string changeId, CancellationToken ct) => Task.FromResult<GuardrailDecision?>(null);
    }
}
