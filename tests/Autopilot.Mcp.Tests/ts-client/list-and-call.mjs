// An independent MCP client: the official TypeScript SDK. Usage: node list-and-call.mjs <endpoint> <streamable|sse>
// Lists every tool, calls each with valid arguments and with one bad argument, and prints one JSON document for the
// C# test (TypeScriptClientTests) to assert on. The SDK's callTool itself checks structuredContent against the
// tool's outputSchema (and throws if it does not match), so a valid call that returns has matched its schema.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";

const [endpoint, mode] = process.argv.slice(2);

// One valid call and one call with a single bad argument per tool; `bad` names the argument that is wrong.
const calls = {
  workload_health: { valid: { workload: "shop/checkout" }, bad: { workload: "checkout" }, badArgument: "workload" },
  route_state: { valid: { route: "shop/checkout" }, bad: { route: 42 }, badArgument: "route" },
  incident_history: { valid: { workload: "shop/checkout", limit: 5 }, bad: { limit: 500 }, badArgument: "limit" },
  incident_detail: { valid: { incidentId: "inc-1" }, bad: {}, badArgument: "incidentId" },
  sop_search: { valid: { alertName: "CanaryHighErrorRate" }, bad: { alertName: "CanaryHighErrorRate", top: "three" }, badArgument: "top" },
};

const text = (result) => (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("");

async function call(client, name, args) {
  try {
    const result = await client.callTool({ name, arguments: args });
    return { isError: result.isError === true, text: text(result), hasStructuredContent: result.structuredContent !== undefined };
  } catch (e) {
    // A protocol error, or structuredContent that does not match the outputSchema.
    return { thrown: String(e?.message ?? e) };
  }
}

const transport = mode === "sse"
  ? new SSEClientTransport(new URL(endpoint))
  : new StreamableHTTPClientTransport(new URL(endpoint));
const client = new Client({ name: "autopilot-ts-test-client", version: "1.0.0" });
await client.connect(transport);

const { tools } = await client.listTools();
const report = { protocolVersion: transport.protocolVersion ?? null, tools: [] };
for (const tool of tools) {
  const planned = calls[tool.name];
  report.tools.push({
    name: tool.name,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema ?? null,
    annotations: tool.annotations ?? null,
    valid: planned ? await call(client, tool.name, planned.valid) : null,
    bad: planned ? await call(client, tool.name, planned.bad) : null,
    badArgument: planned?.badArgument ?? null,
  });
}
await client.close();
console.log(JSON.stringify(report));
