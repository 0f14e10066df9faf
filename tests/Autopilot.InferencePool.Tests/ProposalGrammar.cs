namespace Autopilot.InferencePool.Tests;

/// <summary>A grammar shaped like the domain's proposal grammar: enums, a bounded integer, a bounded free-text reason.</summary>
public static class ProposalGrammar
{
    public const string Gbnf = """
        root ::= "{" ws "\"action\":" ws action ws "," ws "\"backend\":" ws backend ws "," ws "\"weight\":" ws weight ws "," ws "\"reason\":" ws reason ws "}"
        action ::= "\"shift_traffic\"" | "\"rollback\"" | "\"rate_limit\"" | "\"escalate\"" | "\"no_action\""
        backend ::= "\"checkout-v1\"" | "\"checkout-v2\""
        weight ::= [0-9] | [1-9] [0-9] | "100"
        reason ::= "\"" [a-z0-9 ]{1,24} "\""
        ws ::= " "?
        """;

    public static readonly string[] Actions = ["shift_traffic", "rollback", "rate_limit", "escalate", "no_action"];

    public const string JsonSchema = """
        {
          "type": "object",
          "properties": {
            "action": { "enum": ["shift_traffic", "rollback", "escalate"] },
            "weight": { "type": "integer" },
            "dry_run": { "type": "boolean" },
            "reason": { "type": "string", "maxLength": 20 },
            "notes": { "type": "string" }
          },
          "required": ["action", "weight", "dry_run", "reason"]
        }
        """;
}
