/**
 * The MCP shapes @writ/mcp reads and writes, in the words of the
 * specification (2025-11-25 and 2026-07-28). They are plain JSON, kept open
 * (`[key: string]: unknown`) so what Writ relays is relayed whole; nothing
 * here comes from an SDK, so the package's types do not depend on which SDK
 * generation a user has.
 */

export type JsonObject = { readonly [key: string]: unknown };

/** A tool as tools/list announces it. */
export interface Tool {
  readonly name: string;
  readonly inputSchema?: JsonObject;
  readonly execution?: { readonly taskSupport?: string };
  readonly _meta?: JsonObject;
  readonly [key: string]: unknown;
}

/** A tools/call result. */
export interface CallToolResult {
  readonly content?: readonly unknown[];
  readonly isError?: boolean;
  readonly _meta?: JsonObject;
  readonly [key: string]: unknown;
}

/** A listed resource, resource template or prompt: all carry a `_meta` Writ adds the action to. */
export interface ListedItem {
  readonly name?: string;
  readonly uri?: string;
  readonly uriTemplate?: string;
  readonly _meta?: JsonObject;
  readonly [key: string]: unknown;
}

/** The progress a long call reports (notifications/progress, without its token). */
export interface Progress {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
}

/** A `notifications/message` body (MCP logging). */
export interface LogMessage {
  readonly level: string;
  readonly logger?: string;
  readonly data: unknown;
}

/** MCP logging levels, least severe first. */
export const LOG_LEVELS = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
] as const;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
