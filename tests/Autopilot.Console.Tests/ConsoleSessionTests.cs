using System.ComponentModel.DataAnnotations;
using System.Net;
using Autopilot.Api.WebConsole;

namespace Autopilot.Console.Tests;

/// <summary>
/// The console's sign-in is a cookie, so what it must not open: the JSON API stays bearer-only, a form posted without
/// the page's antiforgery token is refused, and a token the identity provider did not sign is shown as refused.
/// </summary>
public sealed class ConsoleSessionTests : IAsyncLifetime
{
    private ConsoleScenario? _scenario;

    public async Task InitializeAsync() => _scenario = await ConsoleScenario.StartAsync("session");

    public async Task DisposeAsync()
    {
        if (_scenario is not null) await _scenario.DisposeAsync();
    }

    [Fact]
    public async Task The_json_api_does_not_take_the_console_cookie_for_a_bearer_token()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _scenario!.Url("/guardrail/shop/checkout/approvals/any-change"))
        {
            Content = new StringContent("""{"approved":true}""", System.Text.Encoding.UTF8, "application/json"),
        };
        using var response = await SendWithCookieAsync(request, _scenario.Host.OperatorToken());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_console_answer_without_the_page_s_antiforgery_token_is_refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _scenario!.Url("/console/answers/shop/checkout/any-change"))
        {
            Content = new FormUrlEncodedContent([new("answer", "approve")]),
        };
        using var response = await SendWithCookieAsync(request, _scenario.Host.OperatorToken());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_token_the_identity_provider_did_not_sign_is_shown_as_refused()
    {
        var token = _scenario!.Host.OperatorToken();
        using var request = new HttpRequestMessage(HttpMethod.Get, _scenario.Url("/console/sign-in"));
        using var response = await SendWithCookieAsync(request, $"{token[..^4]}AAAA");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Contains("data-testid=\"token-refused\"", page);
        Assert.DoesNotContain("data-testid=\"signed-in\"", page);
    }

    [Theory]
    [InlineData(-1, 100, "Autopilot:Console:RefreshSeconds is -1")]
    [InlineData(5, 0, "Autopilot:Console:IncidentsShown is 0")]
    public void Console_options_out_of_range_name_the_key_and_what_is_valid(int refresh, int shown, string expected)
    {
        var options = new ConsoleOptions { RefreshSeconds = refresh, IncidentsShown = shown };

        var problem = Assert.Single(options.Validate(new ValidationContext(options)));

        Assert.StartsWith(expected, problem.ErrorMessage);
        Assert.Contains("between", problem.ErrorMessage);
    }

    /// <summary>Sends the request with the console's sign-in cookie holding <paramref name="token"/>, as a browser would.</summary>
    private static async Task<HttpResponseMessage> SendWithCookieAsync(HttpRequestMessage request, string token)
    {
        request.Headers.Add("Cookie", $"{ConsoleSession.Cookie}={token}");
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };
        return await client.SendAsync(request);
    }
}
