using System.Text.Json;
using System.Text.Json.Serialization;

namespace Autopilot.Remediation.Incidents;

/// <summary>JSON form of <see cref="IncidentState"/>. Refuses documents of another schema version rather than
/// guessing at them.</summary>
public static class IncidentStateJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Serialize(IncidentState state) => JsonSerializer.Serialize(state, Options);

    /// <exception cref="FormatException">Not JSON of an incident state, or another schema version.</exception>
    public static IncidentState Deserialize(string json)
    {
        IncidentState? state;
        try
        {
            state = JsonSerializer.Deserialize<IncidentState>(json, Options);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Incident state is not valid JSON of schema version {IncidentState.CurrentSchemaVersion}: {e.Message}", e);
        }
        if (state is null) throw new FormatException("Incident state JSON is null.");
        if (state.SchemaVersion != IncidentState.CurrentSchemaVersion)
            throw new FormatException($"Incident state has schemaVersion {state.SchemaVersion}; this build reads only {IncidentState.CurrentSchemaVersion}.");
        return state;
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            AllowOutOfOrderMetadataProperties = true,
            // Metric snapshots use NaN for "no data".
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
