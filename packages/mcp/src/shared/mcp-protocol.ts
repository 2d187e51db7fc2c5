/**
 * The two generations of the MCP protocol the gateway speaks, to callers and
 * to upstreams: the sessions of 2025-11-25 and before ("legacy": an
 * initialize handshake, Mcp-Session-Id) and the stateless 2026-07-28
 * ("modern": protocol version, client capabilities and identity in every
 * request's `_meta`, multi-round-trip results instead of server requests).
 */

/** Modern revisions, newest first. */
export const MODERN_VERSIONS = ["2026-07-28"] as const;

/** Legacy revisions the gateway negotiates in an initialize, newest first. */
export const LEGACY_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26"] as const;

export type ProtocolEra = "legacy" | "modern";

/** The reserved `_meta` keys of a modern request or result. */
export const MCP_META = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  logLevel: "io.modelcontextprotocol/logLevel",
  serverInfo: "io.modelcontextprotocol/serverInfo",
  subscriptionId: "io.modelcontextprotocol/subscriptionId",
} as const;

export function isModernVersion(version: unknown): version is (typeof MODERN_VERSIONS)[number] {
  return (MODERN_VERSIONS as readonly unknown[]).includes(version);
}

export function isLegacyVersion(version: unknown): version is (typeof LEGACY_VERSIONS)[number] {
  return (LEGACY_VERSIONS as readonly unknown[]).includes(version);
}

/** Requests whose result may be an `input_required` multi-round-trip result (2026-07-28). */
export const MULTI_ROUND_TRIP_METHODS: ReadonlySet<string> = new Set([
  "tools/call",
  "resources/read",
  "prompts/get",
]);

/** The server-to-client requests an `input_required` result may embed, by the capability each needs. */
export const INPUT_REQUEST_CAPABILITY: Readonly<Record<string, string>> = {
  "sampling/createMessage": "sampling",
  "elicitation/create": "elicitation",
  "roots/list": "roots",
};
