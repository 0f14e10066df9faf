using System.Text.Json;
using System.Text.Json.Nodes;
using Autopilot.Remediation.Knowledge;

namespace Autopilot.Remediation.Proposals;

/// <summary>
/// A JSON Schema (draft 2020-12) for the proposals the SOP allows on this route: the same shape and bounds as
/// <see cref="ProposalGrammar"/>, for servers that constrain output by schema and for documentation.
/// </summary>
public static class ProposalJsonSchema
{
    /// <exception cref="ArgumentException">No allowed action can be expressed for this route.</exception>
    public static string For(IReadOnlyList<AllowedAction> allowed, ProposalContext context)
    {
        var shape = ProposalShape.Of(allowed, context);
        if (shape.Actions.Count == 0) throw new ArgumentException(ProposalGrammar.NothingExpressible(shape), nameof(allowed));

        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = $"Remediation proposal for {context.Route}",
            ["oneOf"] = new JsonArray(shape.Actions.Select(a => (JsonNode)ActionSchema(a, shape)).ToArray()),
        };
        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = ProposalJson.Options.Encoder });
    }

    private static JsonObject ActionSchema(string action, ProposalShape shape)
    {
        var properties = new JsonObject { ["action"] = new JsonObject { ["const"] = action } };
        if (action is not (ActionNames.Escalate or ActionNames.NoAction))
            properties["route"] = new JsonObject { ["const"] = shape.Context.Route };

        switch (action)
        {
            case ActionNames.ShiftTraffic:
                var weights = new JsonObject();
                foreach (var range in shape.ShiftWeights)
                    weights[range.Backend] = new JsonObject { ["type"] = "integer", ["minimum"] = range.Min, ["maximum"] = range.Max };
                properties["weights"] = new JsonObject
                {
                    ["type"] = "object",
                    ["description"] = "Percent per backend; the weights sum to 100.",
                    ["properties"] = weights,
                    ["required"] = Names(shape.ShiftWeights.Select(w => w.Backend)),
                    ["additionalProperties"] = false,
                };
                break;
            case ActionNames.IsolateBackend:
                properties["backend"] = new JsonObject { ["enum"] = Names(shape.IsolateCandidates) };
                break;
            case ActionNames.SetRateLimit:
                properties["requests_per_second"] = new JsonObject
                {
                    ["type"] = "integer",
                    ["minimum"] = shape.MinRequestsPerSecond,
                    ["maximum"] = shape.MaxRequestsPerSecond,
                };
                break;
        }
        properties["reason"] = new JsonObject
        {
            ["type"] = "string",
            ["minLength"] = 1,
            ["maxLength"] = ProposalLimits.MaxReasonLength,
            ["pattern"] = "^[!#-\\[\\]-~][ !#-\\[\\]-~]*$", // printable ASCII without quote and backslash, as in the grammar
        };

        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = properties,
            ["required"] = Names(properties.Select(p => p.Key)),
            ["additionalProperties"] = false,
        };
    }

    private static JsonArray Names(IEnumerable<string> names) => new(names.Select(n => (JsonNode)JsonValue.Create(n)).ToArray());
}
