extern alias actors;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Autopilot.Api.Alerts;
using Autopilot.Api.DeadLetters;
using Autopilot.GatewayBridge.Core.Configuration;
using Autopilot.Incidents.Guardrail;
using Autopilot.Incidents.Health;
using Autopilot.Incidents.Loop;
using Autopilot.Incidents.Notifications;
using Autopilot.Incidents.Planning;
using Autopilot.Incidents.Restore;
using Autopilot.InferencePool.Engine.Options;
using Autopilot.Standalone.Hosting;
using Microsoft.Extensions.Configuration;

namespace Autopilot.EndToEnd.Tests.Configuration;

/// <summary>
/// Each app's appsettings.json shows every setting with its default: binding the file changes nothing (its values are
/// the options' own defaults), and every settable option is named in it (a value, or a comment for an unset one).
/// </summary>
public sealed class AppSettingsTests
{
    public static TheoryData<string, string, Type> Sections() => new()
    {
        { "actors/Autopilot.Actors/appsettings.json", AlertsOptions.Section, typeof(AlertsOptions) },
        { "actors/Autopilot.Actors/appsettings.json", IncidentOptions.Section, typeof(IncidentOptions) },
        { "actors/Autopilot.Actors/appsettings.json", PlanningOptions.Section, typeof(PlanningOptions) },
        { "actors/Autopilot.Actors/appsettings.json", GuardrailOptions.Section, typeof(GuardrailOptions) },
        { "actors/Autopilot.Actors/appsettings.json", HealthOptions.Section, typeof(HealthOptions) },
        { "actors/Autopilot.Actors/appsettings.json", RestoreOptions.Section, typeof(RestoreOptions) },
        { "actors/Autopilot.Actors/appsettings.json", actors::Autopilot.Actors.JournalOptions.Section, typeof(actors::Autopilot.Actors.JournalOptions) },
        { "actors/Autopilot.Actors/appsettings.json", actors::Autopilot.Actors.PoolClientOptions.Section, typeof(actors::Autopilot.Actors.PoolClientOptions) },
        { "actors/Autopilot.Actors/appsettings.json", DeadLetterOptions.Section, typeof(DeadLetterOptions) },
        { "actors/Autopilot.Actors/appsettings.json", Autopilot.Api.Identity.IdentityOptions.Section, typeof(Autopilot.Api.Identity.IdentityOptions) },
        { "actors/Autopilot.Actors/appsettings.json", Autopilot.Api.WebConsole.ConsoleOptions.Section, typeof(Autopilot.Api.WebConsole.ConsoleOptions) },
        { "actors/Autopilot.Actors/appsettings.json", Autopilot.Mcp.McpEndpointOptions.Section, typeof(Autopilot.Mcp.McpEndpointOptions) },
        { $"standalone/Autopilot.Standalone/{AutopilotHost.SettingsFile}", DeadLetterOptions.Section, typeof(DeadLetterOptions) },
        { $"standalone/Autopilot.Standalone/{AutopilotHost.SettingsFile}", StateOptions.Section, typeof(StateOptions) },
        { "actors/Autopilot.Actors/appsettings.json", NotificationsOptions.Section, typeof(NotificationsOptions) },
        { $"standalone/Autopilot.Standalone/{AutopilotHost.SettingsFile}", NotificationsOptions.Section, typeof(NotificationsOptions) },
        { "actors/Autopilot.Actors/appsettings.json", Autopilot.GatewayBridge.Client.GatewayBridgeClientOptions.Section,
            typeof(Autopilot.GatewayBridge.Client.GatewayBridgeClientOptions) },
        { "inference-pool/Autopilot.InferencePool/appsettings.json", PoolOptions.Section, typeof(PoolOptions) },
        { "actors/Autopilot.Actors/appsettings.json", actors::Autopilot.Actors.ActorsHostOptions.Section, typeof(actors::Autopilot.Actors.ActorsHostOptions) },
        { "actors/Autopilot.Actors/appsettings.json", Autopilot.Hosting.Monitoring.MonitoringOptions.Section, typeof(Autopilot.Hosting.Monitoring.MonitoringOptions) },
        { "actors/Autopilot.Actors/appsettings.json", Autopilot.Hosting.Sidecar.SidecarOptions.Section, typeof(Autopilot.Hosting.Sidecar.SidecarOptions) },
        { "gateway-bridge/Autopilot.GatewayBridge/appsettings.json", Autopilot.Hosting.Monitoring.MonitoringOptions.Section, typeof(Autopilot.Hosting.Monitoring.MonitoringOptions) },
        { "gateway-bridge/Autopilot.GatewayBridge/appsettings.json", Autopilot.Hosting.Sidecar.SidecarOptions.Section, typeof(Autopilot.Hosting.Sidecar.SidecarOptions) },
        { "inference-pool/Autopilot.InferencePool/appsettings.json", Autopilot.Hosting.Monitoring.MonitoringOptions.Section, typeof(Autopilot.Hosting.Monitoring.MonitoringOptions) },
        { "inference-pool/Autopilot.InferencePool/appsettings.json", Autopilot.Hosting.Sidecar.SidecarOptions.Section, typeof(Autopilot.Hosting.Sidecar.SidecarOptions) },
        { "gateway-bridge/Autopilot.GatewayBridge/appsettings.json", GatewayBridgeOptions.Section, typeof(GatewayBridgeOptions) },
    };

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    [Theory]
    [MemberData(nameof(Sections))]
    public void The_file_s_values_are_the_options_defaults(string file, string section, Type options)
    {
        var bound = Activator.CreateInstance(options)!;
        Load(file).GetSection(section).Bind(bound);

        Assert.Equal(Settable(Activator.CreateInstance(options)!), Settable(bound));
    }

    [Theory]
    [MemberData(nameof(Sections))]
    public void Every_setting_is_named_in_the_file(string file, string section, Type options)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, file));
        var missing = Names(options).Where(name => !text.Contains($"\"{name}\"", StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, $"{file} does not show {section}: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_stand_alone_settings_only_name_settings_that_exist()
    {
        var configuration = Load($"standalone/Autopilot.Standalone/{AutopilotHost.SettingsFile}");
        var known = Sections().Select(row => ((string)row[1], (Type)row[2])).DistinctBy(s => s.Item1).ToDictionary(s => s.Item1, s => s.Item2);
        var unknown = configuration.AsEnumerable().Where(kv => kv.Value is not null)
            .Where(kv => known.All(k => !kv.Key.StartsWith(k.Key + ":", StringComparison.Ordinal)
                                        || !Names(k.Value).Contains(kv.Key[(k.Key.Length + 1)..].Split(':')[0])))
            .Select(kv => kv.Key).ToList();

        Assert.True(unknown.Count == 0, $"{AutopilotHost.SettingsFile} sets keys no option has: {string.Join(", ", unknown)}");
    }

    private static IConfigurationRoot Load(string file) =>
        new ConfigurationBuilder().AddJsonFile(Path.Combine(RepoPaths.Root, file), optional: false).Build();

    private static IEnumerable<PropertyInfo> SettableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });

    /// <summary>Setting names, nested option objects included (Kubernetes:Mode is named "Mode").</summary>
    private static IReadOnlyList<string> Names(Type type) =>
        [.. SettableProperties(type).SelectMany(p => IsOptionObject(p.PropertyType) ? [p.Name, .. Names(p.PropertyType)] : new[] { p.Name })];

    private static bool IsOptionObject(Type type) => type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("Autopilot", StringComparison.Ordinal) == true;

    private static string Settable(object options) =>
        JsonSerializer.Serialize(SettableProperties(options.GetType()).ToDictionary(p => p.Name, p => p.GetValue(options)), Json);
}
