import { isModernVersion, LEGACY_VERSIONS, MCP_META } from "../shared/mcp-protocol.js";
import { isRecord, type JsonObject } from "../shared/mcp-types.js";
import { GATEWAY_INFO } from "./gateway-info.js";
import { UpstreamFailure } from "./upstream-connection.js";

/** What a server says of itself as a connection opens, in server/discover's or initialize's answer. */
export interface ServerFacts {
  readonly protocolVersion: string;
  readonly capabilities: JsonObject;
  readonly serverInfo: JsonObject | undefined;
  readonly instructions: string | undefined;
}

/** A server/discover answer's facts; undefined when it offers no revision the gateway speaks. */
export function discoveredFacts(result: Record<string, unknown>): ServerFacts | undefined {
  const versions = Array.isArray(result.supportedVersions) ? result.supportedVersions : [];
  const version = versions.find(isModernVersion);
  if (version === undefined) return undefined;
  const meta = isRecord(result._meta) ? result._meta : {};
  const serverInfo = meta[MCP_META.serverInfo];
  return {
    protocolVersion: version,
    capabilities: isRecord(result.capabilities) ? result.capabilities : {},
    serverInfo: isRecord(serverInfo) ? serverInfo : undefined,
    instructions: typeof result.instructions === "string" ? result.instructions : undefined,
  };
}

/** A legacy (2025-11-25) initialize request's params, declaring `capabilities`. */
export function initializeParams(capabilities: JsonObject): Record<string, unknown> {
  return { protocolVersion: LEGACY_VERSIONS[0], capabilities, clientInfo: GATEWAY_INFO };
}

/** An initialize answer's facts; a revision the gateway does not speak is refused. */
export function initializedFacts(result: Record<string, unknown>): ServerFacts {
  const version = result.protocolVersion;
  if (typeof version !== "string" || !(LEGACY_VERSIONS as readonly string[]).includes(version)) {
    throw new UpstreamFailure(
      "refused",
      `The server speaks MCP ${String(version)}, which the gateway does not.`,
    );
  }
  return {
    protocolVersion: version,
    capabilities: isRecord(result.capabilities) ? result.capabilities : {},
    serverInfo: isRecord(result.serverInfo) ? result.serverInfo : undefined,
    instructions: typeof result.instructions === "string" ? result.instructions : undefined,
  };
}
