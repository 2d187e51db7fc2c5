/**
 * The request headers of MCP 2026-07-28 over Streamable HTTP: `Mcp-Method`
 * and `Mcp-Name` mirror a request's method and name (or URI), and tools may
 * mark arguments (`x-mcp-header` in their input schema) to be mirrored into
 * `Mcp-Param-{Name}`. A value that is not plain header-safe ASCII travels as
 * `=?base64?…?=`. A server must find every mirrored value equal to the body's.
 */
import { isRecord } from "./mcp-types.js";

const SENTINEL = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;
const SAFE = /^[\x21-\x7e](?:[\x20-\x7e\t]*[\x21-\x7e])?$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The value `Mcp-Name` mirrors for a request, if its method has one. */
export function mcpNameOf(method: string, params: unknown): string | undefined {
  if (!isRecord(params)) return undefined;
  if (method === "tools/call" || method === "prompts/get") {
    return typeof params.name === "string" ? params.name : undefined;
  }
  if (method === "resources/read") return typeof params.uri === "string" ? params.uri : undefined;
  return undefined;
}

/** A value as a header carries it: as is when safe, else in the base64 sentinel form. */
export function mcpNameHeader(value: string): string {
  return SAFE.test(value) && !SENTINEL.test(value)
    ? value
    : `=?base64?${Buffer.from(value, "utf8").toString("base64")}?=`;
}

/** A header value decoded from the sentinel form; undefined when it is malformed. */
export function decodeMcpHeader(header: string): string | undefined {
  const encoded = SENTINEL.exec(header);
  if (encoded === null) return SAFE.test(header) || header === "" ? header : undefined;
  const text = Buffer.from(encoded[1] ?? "", "base64").toString("utf8");
  return Buffer.from(text, "utf8").toString("base64").replace(/=+$/, "") ===
    (encoded[1] ?? "").replace(/=+$/, "")
    ? text
    : undefined;
}

/** An argument a tool asks to be mirrored into `Mcp-Param-{name}`. */
export interface ParamHeader {
  readonly name: string;
  /** The property path from the arguments' root. */
  readonly path: readonly string[];
}

/**
 * The `x-mcp-header` annotations of a tool's input schema, or an error
 * saying why they are invalid (a client must then leave the tool out).
 */
export function paramHeadersOf(inputSchema: unknown): readonly ParamHeader[] | string {
  const found: ParamHeader[] = [];
  const walk = (schema: unknown, path: readonly string[]): string | undefined => {
    if (!isRecord(schema)) return undefined;
    const name = schema["x-mcp-header"];
    if (name !== undefined) {
      if (path.length === 0) return "x-mcp-header on the schema's root";
      if (typeof name !== "string" || !TOKEN.test(name)) {
        return `x-mcp-header ${JSON.stringify(name)} is not a header name token`;
      }
      if (schema.type !== "string" && schema.type !== "integer" && schema.type !== "boolean") {
        return `x-mcp-header ${name} marks a property that is not a string, integer or boolean`;
      }
      if (found.some((other) => other.name.toLowerCase() === name.toLowerCase())) {
        return `x-mcp-header ${name} is used twice`;
      }
      found.push({ name, path });
    }
    if (!isRecord(schema.properties)) return undefined;
    for (const [key, property] of Object.entries(schema.properties)) {
      const problem = walk(property, [...path, key]);
      if (problem) return problem;
    }
    return undefined;
  };
  return walk(inputSchema, []) ?? found;
}

/** The `Mcp-Param-*` headers for a call's arguments (lower-case names), per the tool's annotations. */
export function paramHeaderValues(
  headers: readonly ParamHeader[],
  args: unknown,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const { name, path } of headers) {
    const value = valueAt(args, path);
    const text = headerText(value);
    if (text !== undefined) values[`mcp-param-${name.toLowerCase()}`] = mcpNameHeader(text);
  }
  return values;
}

/**
 * Checks the mirrored headers of a modern request against its body. Returns
 * what does not match, for a HeaderMismatch error, or undefined.
 */
export function headerMismatch(
  header: (name: string) => string | undefined,
  message: { readonly method: string; readonly params?: unknown },
  paramHeaders: readonly ParamHeader[],
): string | undefined {
  const method = header("mcp-method");
  if (method === undefined) return "the Mcp-Method header is missing";
  if (method !== message.method) return "the Mcp-Method header does not match the body's method";
  const name = mcpNameOf(message.method, message.params);
  if (name !== undefined) {
    const sent = header("mcp-name");
    if (sent === undefined) return "the Mcp-Name header is missing";
    if (decodeMcpHeader(sent) !== name) return "the Mcp-Name header does not match the body";
  }
  const args = isRecord(message.params) ? message.params.arguments : undefined;
  for (const { name: param, path } of paramHeaders) {
    const expected = headerText(valueAt(args, path));
    const sent = header(`mcp-param-${param.toLowerCase()}`);
    if (expected === undefined) continue;
    if (sent === undefined) return `the Mcp-Param-${param} header is missing`;
    const decoded = decodeMcpHeader(sent);
    const equal =
      typeof valueAt(args, path) === "number"
        ? decoded !== undefined && Number(decoded) === valueAt(args, path)
        : decoded === expected;
    if (!equal) return `the Mcp-Param-${param} header does not match the body`;
  }
  return undefined;
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let at = value;
  for (const key of path) {
    if (!isRecord(at)) return undefined;
    at = at[key];
  }
  return at;
}

function headerText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  return undefined;
}
