using Autopilot.GatewayBridge.Core.Changes;
using Autopilot.GatewayBridge.Core.Configuration;
using Microsoft.Extensions.Options;

namespace Autopilot.GatewayBridge.Tests;

public sealed class GatewayBridgeOptionsTests
{
    [Fact]
    public void Every_bad_setting_is_reported_with_its_key()
    {
        var options = new GatewayBridgeOptions
        {
            ApprovalSigningKey = null,
            MaxConflictRetries = -1,
            Namespaces = ["Shop_Prod"],
            Kubernetes = new KubernetesConnectionOptions { Mode = KubernetesConnectionMode.Explicit, Url = "not a url" },
            RateLimitPolicy = new RateLimitPolicyOptions { Kind = "", SpecTemplate = "{ not json" },
        };

        var e = Assert.Throws<OptionsValidationException>(() => GatewayBridgeService.Create(options));

        Assert.Contains(e.Failures, f => f.StartsWith("GatewayBridge:ApprovalSigningKey"));
        Assert.Contains(e.Failures, f => f.StartsWith("GatewayBridge:MaxConflictRetries"));
        Assert.Contains(e.Failures, f => f.StartsWith("GatewayBridge:Namespaces"));
        Assert.Contains(e.Failures, f => f.StartsWith("GatewayBridge:Kubernetes:Url"));
        Assert.Contains(e.Failures, f => f.StartsWith("GatewayBridge:RateLimitPolicy:Kind"));
        Assert.Contains(e.Failures, f => f.StartsWith("GatewayBridge:RateLimitPolicy:SpecTemplate"));
    }

    [Fact]
    public void The_default_rate_limit_template_renders_kgateway_token_bucket_numbers()
    {
        var spec = System.Text.Json.Nodes.JsonNode.Parse(RateLimitPolicyTemplate.Render(new RateLimitPolicyOptions().SpecTemplate, "checkout", 50, 80))!;
        Assert.Equal("checkout", spec["targetRefs"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(80, spec["rateLimit"]!["local"]!["tokenBucket"]!["maxTokens"]!.GetValue<int>());
        Assert.Equal(50, spec["rateLimit"]!["local"]!["tokenBucket"]!["tokensPerFill"]!.GetValue<int>());
    }
}
