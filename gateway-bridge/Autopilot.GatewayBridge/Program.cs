// Placeholder until the Autopilot.GatewayBridge host is written.
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
app.Run();
