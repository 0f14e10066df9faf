using Autopilot.GatewayBridge;

var app = await GatewayBridgeHost.BuildAsync(args);
await app.RunAsync();
