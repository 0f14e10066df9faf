using Autopilot.Actors;
using Autopilot.Incidents;
using Autopilot.Incidents.Guardrail;
using Autopilot.Incidents.Planning;
using Autopilot.Incidents.Restore;
using Autopilot.Remediation.Alerts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Autopilot.Actors.Tests.Host;

public sealed class OptionsBindingTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAutopilotIncidents(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Configured_restore_steps_replace_the_defaults()
    {
        using var provider = Build(new() { ["Autopilot:Restore:StepPercents:0"] = "25", ["Autopilot:Restore:StepPercents:1"] = "100" });

        Assert.Equal([25, 100], provider.GetRequiredService<IOptions<RestoreOptions>>().Value.Steps);
    }

    [Fact]
    public void Restore_steps_that_do_not_end_at_100_are_refused_naming_the_key()
    {
        using var provider = Build(new() { ["Autopilot:Restore:StepPercents:0"] = "50", ["Autopilot:Restore:StepPercents:1"] = "25" });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<RestoreOptions>>().Value);
        Assert.Contains("Autopilot:Restore:StepPercents", e.Message);
    }

    [Fact]
    public void System_template_that_would_carry_alert_text_is_refused_naming_the_key()
    {
        using var provider = Build(new() { ["Autopilot:Planning:SystemTemplate"] = "You are a planner. Facts: {{$facts}}" });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PlanningOptions>>().Value);
        Assert.Contains("Autopilot:Planning:SystemTemplate", e.Message);
        Assert.Contains("Autopilot:Planning:PromptTemplate", e.Message);
    }

    [Fact]
    public void A_token_budget_too_small_for_any_answer_is_refused_naming_the_key()
    {
        using var provider = Build(new() { ["Autopilot:Planning:MaxTokens"] = "8" });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PlanningOptions>>().Value);
        Assert.Contains("Autopilot:Planning:MaxTokens is 8", e.Message);
        Assert.Equal(0, Build([]).GetRequiredService<IOptions<PlanningOptions>>().Value.MaxTokens);
    }

    [Fact]
    public void A_blank_webhook_token_and_a_dead_letter_topic_equal_to_the_topic_are_refused_naming_the_keys()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAutopilotActors(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Autopilot:Alerts:BearerToken"] = " ",
            ["Autopilot:Alerts:DeadLetterTopic"] = "alerts",
        }).Build());
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<Autopilot.Api.Alerts.AlertsOptions>>().Value);
        Assert.Contains("Autopilot:Alerts:BearerToken is blank", e.Message);
        Assert.Contains("Autopilot:Alerts:DeadLetterTopic is 'alerts', the same as Autopilot:Alerts:Topic", e.Message);
    }

    private static IOptions<Autopilot.Api.Alerts.AlertsOptions> Alerts(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAutopilotActors(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider().GetRequiredService<IOptions<Autopilot.Api.Alerts.AlertsOptions>>();
    }

    [Fact]
    public void Without_a_webhook_token_start_up_stops_naming_the_key_and_the_development_switch()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Alerts([]).Value);

        Assert.Contains("Autopilot:Alerts:BearerToken is not set", e.Message);
        Assert.Contains("Autopilot:Alerts:AllowAnonymousWebhook=true", e.Message);
    }

    [Fact]
    public void A_short_webhook_token_is_refused_naming_its_length()
    {
        var e = Assert.Throws<OptionsValidationException>(() => Alerts(new() { ["Autopilot:Alerts:BearerToken"] = "secret" }).Value);

        Assert.Contains("Autopilot:Alerts:BearerToken is 6 characters", e.Message);
    }

    [Fact]
    public void The_development_switch_lets_the_webhook_run_without_a_token()
    {
        var options = Alerts(new() { ["Autopilot:Alerts:AllowAnonymousWebhook"] = "true" }).Value;

        Assert.Null(options.BearerToken);
        Assert.True(options.AllowAnonymousWebhook);
    }

    [Fact]
    public void A_pool_address_that_is_not_a_url_stops_start_up_naming_the_key()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAutopilotActors(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Autopilot:InferencePool:BaseAddress"] = "inference-pool:8080" }).Build());
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PoolClientOptions>>().Value);
        Assert.Contains("Autopilot:InferencePool:BaseAddress is 'inference-pool:8080'", e.Message);
    }

    [Fact]
    public void A_blank_journal_store_is_refused_naming_the_key()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAutopilotActors(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Autopilot:Journal:StateStore"] = "" }).Build());
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<JournalOptions>>().Value);
        Assert.Contains("Autopilot:Journal:StateStore is blank", e.Message);
    }

    [Theory]
    [InlineData(null, "Autopilot:Guardrail:SigningKey is not set")]
    [InlineData("too-short", "Autopilot:Guardrail:SigningKey is not usable")]
    public void A_missing_or_short_signing_key_is_refused_naming_the_key(string? key, string message)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAutopilotGuardrail(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Autopilot:Guardrail:SigningKey"] = key }).Build());
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GuardrailKeyOptions>>().Value);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void The_incident_loop_alone_starts_without_the_signing_key_and_never_registers_it()
    {
        using var provider = Build([]);

        Assert.NotNull(provider.GetRequiredService<IOptions<Autopilot.Incidents.Guardrail.GuardrailOptions>>().Value);
        Assert.Null(provider.GetService<GuardrailServices>());
        Assert.Null(provider.GetService<IOptions<GuardrailKeyOptions>>()?.Value.SigningKey);
    }

    [Fact]
    public void Negative_lease_wait_is_refused_naming_the_field()
    {
        using var provider = Build(new() { ["Autopilot:Planning:LeaseWaitMs"] = "-1" });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PlanningOptions>>().Value);
        Assert.Contains("LeaseWaitMs", e.Message);
    }

    [Fact]
    public void Configured_workload_labels_decide_how_alerts_map_to_workloads()
    {
        using var provider = Build(new() { ["Autopilot:Incidents:WorkloadLabels:0"] = "app_kubernetes_io_name" });
        var resolver = provider.GetRequiredService<WorkloadKeyResolver>();
        var alert = new Alert("fp1", AlertStatus.Firing,
            new Dictionary<string, string> { ["alertname"] = "X", ["namespace"] = "shop", ["app_kubernetes_io_name"] = "checkout", ["workload"] = "other" },
            new Dictionary<string, string>(), DateTimeOffset.UnixEpoch, null, null);

        Assert.True(resolver.TryResolve(alert, out var key));
        Assert.Equal(new WorkloadKey("shop", "checkout"), key);
    }
}
