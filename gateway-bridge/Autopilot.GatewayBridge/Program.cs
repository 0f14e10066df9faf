using Autopilot.GatewayBridge;
using Autopilot.Hosting;

// The gateway-bridge (Dapr app-id "gateway-bridge"): the only component that changes traffic, one signed change at a
// time (docs/gateway-bridge.md).
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(GatewayBridgeServices.AppId);
await builder.AddGatewayBridgeServicesAsync();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGatewayBridgeApi();
await app.RunAsync();

/// <summary>Entry point type, public for WebApplicationFactory.</summary>
public partial class Program;
