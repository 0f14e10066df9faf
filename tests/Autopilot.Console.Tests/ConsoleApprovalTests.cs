using Autopilot.Incidents.Ports;
using Autopilot.Remediation.Routing;
using Autopilot.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Autopilot.Console.Tests;

/// <summary>
/// A person in a browser: the incident appears in the live list, its page shows the chart and the verdict, and the
/// change waiting for approval is approved or rejected by clicking, as the signed-in person; a visitor who has not
/// signed in sees the change but cannot answer it.
/// </summary>
public sealed class ConsoleApprovalTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>
{
    private static readonly BackendWeight[] Before = [new("checkout-v1", 90), new("checkout-v2", 10)];

    [Fact]
    public async Task A_signed_in_approver_approves_the_pending_change_by_clicking_and_the_console_shows_it_applied()
    {
        await using var scenario = await ConsoleScenario.StartAsync("approve");
        var (page, errors) = await browser.NewPageAsync();
        await SignInAsync(page, scenario);

        await page.GotoAsync(scenario.Url("/console/"));
        var row = page.GetByTestId("incidents").Locator("tbody tr");
        await Expect(row).ToHaveCountAsync(1); // appears without a reload: the list updates itself
        await Expect(row).ToContainTextAsync("shop/checkout");
        await Expect(row).ToContainTextAsync("CanaryHighErrorRate");
        await Expect(row).ToContainTextAsync("AwaitingApproval");

        await page.GotoAsync(scenario.Url("/console/approvals"));
        var pending = page.GetByTestId("pending-change");
        await Expect(pending).ToContainTextAsync("policy shop-checkout requires a person's approval for rollback_canary");
        Assert.Equal(["0", "checkout-v2", "10", "0", "-10"], await RowAsync(pending.GetByTestId("weights"), "checkout-v2"));
        await pending.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        // The answer lands on the incident's page, which shows the change applied once the incident has heard of it.
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/console/incidents/"));
        await Expect(page.GetByTestId("decision-status")).ToHaveTextAsync("Applied");
        Assert.Equal(["0", "checkout-v1", "90", "100", "+10"], await RowAsync(page.GetByTestId("weights"), "checkout-v1"));
        await Expect(page.GetByTestId("chart")).ToHaveCountAsync(2);
        await Expect(page.Locator("svg[data-testid=chart] polyline")).ToHaveCountAsync(4); // 2 signals x 2 backends
        await Expect(page.Locator("svg[data-testid=chart] line[data-mark=change]")).ToHaveCountAsync(2);
        Assert.Equal([new("checkout-v1", 100), new("checkout-v2", 0)], await scenario.WeightsAsync());

        // The picture in docs/standalone.md, once the first verification is on the chart.
        await Expect(page.Locator("svg[data-testid=chart] line[data-mark^=verify]").First).ToBeAttachedAsync();
        await page.ScreenshotAsync(new() { Path = Repo.PathOf("docs", "images", "console.png") });
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_signed_in_approver_rejects_the_pending_change_and_the_route_keeps_its_weights()
    {
        await using var scenario = await ConsoleScenario.StartAsync("reject");
        var (page, errors) = await browser.NewPageAsync();
        await SignInAsync(page, scenario);

        await page.GotoAsync(scenario.Url("/console/approvals"));
        var pending = page.GetByTestId("pending-change");
        await pending.GetByLabel("reason").FillAsync("not during the sale");
        await pending.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();

        await Expect(page.GetByTestId("decision-status")).ToHaveTextAsync("Rejected");
        await Expect(page.GetByTestId("verdict")).ToContainTextAsync("not during the sale");
        Assert.Equal(Before, await scenario.WeightsAsync());
        await page.GotoAsync(scenario.Url("/console/approvals"));
        await Expect(page.GetByTestId("no-approvals")).ToBeVisibleAsync();
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_visitor_who_has_not_signed_in_sees_the_pending_change_but_cannot_approve_it()
    {
        await using var scenario = await ConsoleScenario.StartAsync("anonymous");
        var (page, _) = await browser.NewPageAsync();

        await page.GotoAsync(scenario.Url("/console/approvals"));
        var pending = page.GetByTestId("pending-change");
        await Expect(pending.GetByTestId("sign-in-needed")).ToBeVisibleAsync();
        var changeId = await pending.GetAttributeAsync("data-change");
        var answer = await page.RunAndWaitForResponseAsync(
            () => pending.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync(), r => r.Request.Method == "POST");

        Assert.Equal(401, answer.Status);
        await Expect(page.GetByTestId("refusal")).ToHaveTextAsync("401 · Not signed in");
        var decision = await scenario.Host.Guardrails.GetDecisionAsync(scenario.Workload.Route, changeId!, default);
        Assert.Equal(DecisionStatus.AwaitingApproval, decision?.Status);
        Assert.Equal(Before, await scenario.WeightsAsync());
    }

    /// <summary>The cells of a weight table's row for one backend: rule, backend, before, after, change.</summary>
    private static async Task<IReadOnlyList<string>> RowAsync(ILocator weights, string backend) =>
        await weights.Locator("tbody tr", new() { Has = weights.Page.GetByRole(AriaRole.Cell, new() { Name = backend, Exact = true }) }).Locator("td").AllInnerTextsAsync();

    /// <summary>Pastes the operator token the stand-alone host prints, as a person would.</summary>
    private static async Task SignInAsync(IPage page, ConsoleScenario scenario)
    {
        await page.GotoAsync(scenario.Url("/console/sign-in"));
        await page.GetByLabel("token").FillAsync(scenario.Host.OperatorToken());
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("signed-in")).ToContainTextAsync("Signed in as operator");
    }
}
