using Autopilot.Testing;
using Autopilot.Deployment.Tests.Support;

namespace Autopilot.Deployment.Tests;

/// <summary>dapr.yaml (`dapr run -f .`) and tye.yaml resolve to files that exist and use only keys their tools read.</summary>
public class LocalRunTests
{
    // The yaml keys of the Dapr CLI's run-file structs (pkg/runfileconfig, pkg/standalone RunConfig/SharedRunConfig).
    private static readonly HashSet<string> RunFileAppKeys =
    [
        "appID", "appDirPath", "appChannelAddress", "appPort", "daprHTTPPort", "daprGRPCPort", "profilePort", "command",
        "metricsPort", "unixDomainSocket", "daprInternalGRPCPort", "configFilePath", "appProtocol", "apiListenAddresses",
        "enableProfiling", "logLevel", "appMaxConcurrency", "placementHostAddress", "resourcesPath", "resourcesPaths",
        "appSSL", "maxBodySize", "readBufferSize", "enableAppHealthCheck", "appHealthCheckPath", "appHealthProbeInterval",
        "appHealthProbeTimeout", "appHealthThreshold", "enableApiLogging", "runtimePath", "env", "daprdLogDestination",
        "appLogDestination", "schedulerHostAddress", "containerImage", "containerImagePullPolicy", "createService",
    ];

    [Fact]
    public void Multi_app_run_file_uses_only_keys_the_dapr_cli_reads()
    {
        var run = Manifests.MultiAppRun;
        Assert.Equal("1", run.Str("version"));
        foreach (var app in run.MapsAt("apps").Append(run.RequiredMap("common")))
            foreach (var key in app.Keys)
                Assert.True(RunFileAppKeys.Contains(key), $"dapr.yaml: '{key}' is not a multi-app run key");
    }

    [Fact]
    public void Multi_app_run_paths_resolve_like_the_dapr_cli_resolves_them()
    {
        var run = Manifests.MultiAppRun;
        // common paths are relative to the run file; an app's paths to its appDirPath.
        foreach (var path in run.StringsAt("common", "resourcesPaths"))
            Assert.True(Directory.Exists(Repo.PathOf(path)), $"dapr.yaml: resources path {path} does not exist");
        foreach (var app in run.MapsAt("apps"))
        {
            var appDir = Repo.PathOf(app.Required("appDirPath"));
            Assert.True(Directory.Exists(appDir));
            Assert.True(File.Exists(Path.Combine(appDir, app.Required("configFilePath"))),
                $"dapr.yaml: {app.Str("appID")} configFilePath {app.Str("configFilePath")} does not exist");
            Assert.Equal("/healthz", app.Str("appHealthCheckPath"));
        }
    }

    [Fact]
    public void Sidecars_of_the_multi_app_run_do_not_collide_on_ports()
    {
        var ports = Manifests.MultiAppRun.MapsAt("apps")
            .SelectMany(a => new[] { "appPort", "daprHTTPPort", "daprGRPCPort", "metricsPort" }.Select(k => a.Required(k)))
            .ToList();
        Assert.Equal(ports.Count, ports.Distinct().Count());
    }

    [Fact]
    public void Local_secret_file_is_found_from_the_directory_daprd_runs_in()
    {
        // Under `dapr run -f` daprd runs in the app's appDirPath; under tye in the tye.yaml folder. Both are the root.
        Assert.All(Manifests.MultiAppRun.MapsAt("apps"), app => Assert.Equal(".", app.Str("appDirPath")));
        var store = Manifests.LocalResources.Select(r => r.Document).Single(d => d.Kind == "Component" && d.Name == SharedNames.SecretStore);
        var secretsFile = store.MapsAt("spec", "metadata").Single(m => m.Str("name") == "secretsFile").Required("value");
        var secrets = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Repo.PathOf(secretsFile)));
        var key = secrets.RootElement.GetProperty(SharedNames.ApprovalSigningKey).GetString()!;
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(key) >= 32, "the development signing key must have at least 32 bytes");
    }

    [Fact]
    public void Tye_finds_each_sidecar_configuration_where_its_dapr_extension_looks()
    {
        var dapr = Manifests.Tye.MapsAt("extensions").Single(e => e.Str("name") == "dapr");
        var componentsPath = dapr.Required("components-path");
        Assert.True(Directory.Exists(Repo.PathOf(componentsPath)));
        foreach (var appId in SharedNames.AppIds)
        {
            // tye passes --config <components-path>/<config>.yaml, relative to the folder of tye.yaml.
            var config = dapr.Required("services", appId, "config");
            var file = Path.GetFullPath(Path.Combine(Repo.PathOf(componentsPath), config + ".yaml"));
            Assert.True(File.Exists(file), $"tye.yaml: config of {appId} resolves to {file}, which does not exist");
            Assert.Equal($"{appId}-config", Yaml.LoadSingle(file).Name);
        }
    }

    private static string? Env(Map app, string name) => app.MapAt("env")?.Str(name);

    private static string? TyeEnv(string service, string name) =>
        Manifests.Tye.MapsAt("services").Single(s => s.Str("name") == service)
            .MapsAt("env").SingleOrDefault(e => e.Str("name") == name)?.Str("value");

    [Theory]
    [InlineData("Autopilot__Incidents__SopDirectory", "sops")]
    [InlineData("Autopilot__Guardrail__PolicyDirectory", "policies")]
    [InlineData("Autopilot__Incidents__SopIndexPath", ".autopilot/sop-index.db")]
    public void The_actors_app_finds_the_repository_content_in_both_local_modes(string setting, string repositoryPath)
    {
        // dapr run -f starts the app in its appDirPath; tye starts a project in the project's folder.
        var daprApp = Manifests.DaprRunApp(SharedNames.ActorsAppId);
        var fromDaprRun = Path.GetFullPath(Path.Combine(Repo.PathOf(daprApp.Required("appDirPath")), Env(daprApp, setting)!));
        var tyeProject = Manifests.Tye.MapsAt("services").Single(s => s.Str("name") == SharedNames.ActorsAppId).Required("project");
        var fromTye = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Repo.PathOf(tyeProject))!, TyeEnv(SharedNames.ActorsAppId, setting)!));
        Assert.Equal(Repo.PathOf(repositoryPath), fromDaprRun);
        Assert.Equal(Repo.PathOf(repositoryPath), fromTye);
    }

    [Fact]
    public void Local_runs_use_the_shipped_decision_model()
    {
        const string shipped = "model/autopilot-decider.gguf";
        Assert.Equal(shipped, Env(Manifests.DaprRunApp(SharedNames.InferencePoolAppId), "InferencePool__ModelPath"));
        Assert.Equal(shipped, TyeEnv(SharedNames.InferencePoolAppId, "InferencePool__ModelPath"));
        Assert.True(File.Exists(Repo.PathOf(shipped)), $"{shipped} is committed");
    }
}
