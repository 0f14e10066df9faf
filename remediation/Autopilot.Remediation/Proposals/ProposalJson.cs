using System.Text.Encodings.Web;
using System.Text.Json;
using Autopilot.Remediation.Routing;

namespace Autopilot.Remediation.Proposals;

/// <summary>
/// The wire form of proposals: one compact JSON object, snake_case keys, "action" first, exactly what the
/// grammar makes the model write. Use <see cref="Options"/> to store proposals with System.Text.Json.
/// </summary>
public static class ProposalJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        AllowOutOfOrderMetadataProperties = true,
    };

    /// <summary>The canonical compact form, keys in the grammar's order.</summary>
    public static string Serialize(Proposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Options.Encoder }))
        {
            writer.WriteStartObject();
            writer.WriteString("action", proposal.Action);
            switch (proposal)
            {
                case ShiftTraffic shift:
                    writer.WriteString("route", shift.Route);
                    writer.WriteStartObject("weights");
                    foreach (var (backend, weight) in shift.Weights) writer.WriteNumber(backend, weight);
                    writer.WriteEndObject();
                    break;
                case RollbackCanary rollback:
                    writer.WriteString("route", rollback.Route);
                    break;
                case IsolateBackend isolate:
                    writer.WriteString("route", isolate.Route);
                    writer.WriteString("backend", isolate.Backend);
                    break;
                case SetRateLimit rate:
                    writer.WriteString("route", rate.Route);
                    writer.WriteNumber("requests_per_second", rate.RequestsPerSecond);
                    break;
            }
            writer.WriteString("reason", proposal.Reason);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The route a proposal names, or null for escalate/no_action.</summary>
    public static string? RouteOf(Proposal proposal) => proposal switch
    {
        ShiftTraffic p => p.Route,
        RollbackCanary p => p.Route,
        IsolateBackend p => p.Route,
        SetRateLimit p => p.Route,
        _ => null,
    };

    internal static bool Names(Proposal proposal, RouteRef route) => RouteOf(proposal) == route.ToString();
}
