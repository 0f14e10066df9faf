using System.Text.Json;
using System.Text.Json.Serialization;

namespace Autopilot.GatewayBridge.Client;

/// <summary>The one JSON shape of the bridge's wire contract and journal: camelCase, enums as their names.</summary>
public static class GatewayBridgeJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
