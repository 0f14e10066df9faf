using Autopilot.GatewayBridge.Core.Configuration;
using k8s;

namespace Autopilot.GatewayBridge.Core.Kubernetes;

public static class KubernetesClientFactory
{
    public static IKubernetes Create(KubernetesConnectionOptions options) => new k8s.Kubernetes(BuildConfiguration(options));

    public static KubernetesClientConfiguration BuildConfiguration(KubernetesConnectionOptions options) => options.Mode switch
    {
        KubernetesConnectionMode.InCluster => KubernetesClientConfiguration.InClusterConfig(),
        KubernetesConnectionMode.Kubeconfig => KubernetesClientConfiguration.BuildConfigFromConfigFile(options.KubeconfigPath, options.Context),
        KubernetesConnectionMode.Explicit => new KubernetesClientConfiguration
        {
            Host = options.Url,
            AccessToken = options.Token,
            SkipTlsVerify = options.SkipTlsVerify,
        },
        _ => KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(options.KubeconfigPath, options.Context),
    };
}
