using Autopilot.Incidents.Notifications;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Autopilot.Actors.Tests.Notifications;

public sealed class NotificationsOptionsTests
{
    private static string Refusal(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddIncidentNotifications(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        using var provider = services.BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<NotificationsOptions>>().Value).Message;
    }

    [Fact]
    public void No_receivers_is_valid_and_sends_nothing()
    {
        var options = new NotificationsOptions();

        Assert.Empty(options.Validate(new(options)));
        Assert.Null(options.ConsoleUrl("x"));
    }

    [Fact]
    public void A_receiver_with_a_bad_name_format_url_event_and_blank_filter_is_refused_naming_each_key_and_what_would_do()
    {
        var message = Refusal(new()
        {
            ["Autopilot:Notifications:PublicUrl"] = "https://autopilot.example.com",
            ["Autopilot:Notifications:Receivers:0:Name"] = "on call",
            ["Autopilot:Notifications:Receivers:0:Format"] = "teams",
            ["Autopilot:Notifications:Receivers:0:Url"] = "hooks.slack.com/services/T000/B000/SECRET",
            ["Autopilot:Notifications:Receivers:0:Events:0"] = "paged",
            ["Autopilot:Notifications:Receivers:0:Severities:0"] = " ",
        });

        Assert.Contains("Autopilot:Notifications:Receivers:0:Name is 'on call'; use 1 to 63 letters, digits", message);
        Assert.Contains("Autopilot:Notifications:Receivers:0:Format is 'teams'; use 'slack'", message);
        Assert.Contains("Autopilot:Notifications:Receivers:0:Url is", message);
        Assert.Contains("Autopilot:Notifications:Receivers:0:Events has 'paged'; use any of escalated, approval_needed, change_applied, rolled_back, resolved", message);
        Assert.Contains("Autopilot:Notifications:Receivers:0:Severities has a blank entry", message);
    }

    [Fact]
    public void A_webhook_url_s_secret_path_is_not_repeated_in_the_refusal()
    {
        var message = Refusal(new()
        {
            ["Autopilot:Notifications:PublicUrl"] = "https://autopilot.example.com",
            ["Autopilot:Notifications:Receivers:0:Name"] = "slack",
            ["Autopilot:Notifications:Receivers:0:Url"] = "ftp://hooks.example.com/services/SECRET",
        });

        Assert.Contains("Autopilot:Notifications:Receivers:0:Url is 'ftp://hooks.example.com/…'", message);
        Assert.DoesNotContain("SECRET", message);
    }

    [Fact]
    public void Receivers_without_a_console_url_twins_and_out_of_range_retries_are_refused_naming_the_keys()
    {
        var message = Refusal(new()
        {
            ["Autopilot:Notifications:MaxAttempts"] = "0",
            ["Autopilot:Notifications:QueueCapacity"] = "0",
            ["Autopilot:Notifications:RetryDelay"] = "00:10:00",
            ["Autopilot:Notifications:AttemptTimeout"] = "00:00:00",
            ["Autopilot:Notifications:Receivers:0:Name"] = "hook",
            ["Autopilot:Notifications:Receivers:0:Url"] = "https://a.example.com/x",
            ["Autopilot:Notifications:Receivers:1:Name"] = "HOOK",
            ["Autopilot:Notifications:Receivers:1:Url"] = "https://b.example.com/x",
        });

        Assert.Contains("Autopilot:Notifications:PublicUrl is empty while 2 receiver(s) are configured; set the absolute http(s) URL", message);
        Assert.Contains("Autopilot:Notifications:Receivers name 'hook' more than once", message);
        Assert.Contains("Autopilot:Notifications:MaxAttempts is 0; use a number of tries between 1 and 10", message);
        Assert.Contains("Autopilot:Notifications:QueueCapacity is 0", message);
        Assert.Contains("Autopilot:Notifications:RetryDelay is 00:10:00", message);
        Assert.Contains("Autopilot:Notifications:AttemptTimeout is 00:00:00", message);
    }

    [Fact]
    public void The_console_link_is_the_public_url_s_console_page_of_the_incident()
    {
        var options = new NotificationsOptions { PublicUrl = "https://ops.example.com/autopilot/" };

        Assert.Equal("https://ops.example.com/autopilot/console/incidents/shop.checkout.1", options.ConsoleUrl("shop.checkout.1")!.ToString());
    }
}
