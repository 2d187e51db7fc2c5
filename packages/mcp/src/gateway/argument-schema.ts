import { type Schema, type SchemaDraft, Validator } from "@cfworker/json-schema";
import { isRecord } from "../shared/mcp-types.js";

/** JSON Schema dialects by `$schema`; MCP (2025-11-25) reads a schema that names none as 2020-12. */
const DIALECTS: Readonly<Record<string, SchemaDraft>> = {
  "https://json-schema.org/draft/2020-12/schema": "2020-12",
  "https://json-schema.org/draft/2019-09/schema": "2019-09",
  "http://json-schema.org/draft-07/schema": "7",
  "http://json-schema.org/draft-04/schema": "4",
};

/** Argument names come from the caller: a refusal quotes at most this much of one. */
const MAX_LOCATION_CHARS = 200;

/**
 * A tool's published input schema, compiled, for an upstream whose calls are
 * checked against it before the guard judges them: the upstream then receives
 * only arguments its own schema accepts, so a value cannot reach the tool in a
 * shape the conditions were not judged on (a string where a number was
 * expected, a property the tool does not declare).
 */
export class ArgumentSchema {
  readonly #validator: Validator;

  private constructor(validator: Validator) {
    this.#validator = validator;
  }

  /** The schema compiled, or why it cannot be used (the tool is then not served). */
  static compile(inputSchema: unknown): ArgumentSchema | string {
    if (!isRecord(inputSchema)) return "its inputSchema is not a JSON Schema object";
    const declared = inputSchema.$schema;
    const dialect =
      declared === undefined ? "2020-12" : DIALECTS[String(declared).replace(/#$/, "")];
    if (dialect === undefined) {
      return `its inputSchema names a JSON Schema dialect the gateway cannot check (${String(declared).slice(0, MAX_LOCATION_CHARS)})`;
    }
    try {
      // The validator annotates the schema it is given: it gets its own copy,
      // so the tool callers list stays as the upstream published it.
      return new ArgumentSchema(
        new Validator(structuredClone(inputSchema) as Schema, dialect, false),
      );
    } catch (error) {
      return `its inputSchema cannot be compiled (${error instanceof Error ? error.message : String(error)})`;
    }
  }

  /**
   * Why the arguments do not conform, naming where and the schema keyword they
   * fail; never a value. Undefined when they conform.
   */
  problem(args: Record<string, unknown>): string | undefined {
    try {
      const { valid, errors } = this.#validator.validate(args);
      if (valid) return undefined;
      // Each enclosing keyword fails too ("properties" at the root): the deepest
      // failure names the argument at fault.
      const deepest = errors.reduce((deep, error) =>
        error.instanceLocation.length > deep.instanceLocation.length ? error : deep,
      );
      const location = deepest.instanceLocation.replace(/^#/, "") || "/";
      return `${location.slice(0, MAX_LOCATION_CHARS)} fails "${deepest.keyword}" in the tool's input schema`;
    } catch {
      // A schema the validator cannot apply checks nothing: refuse, never pass.
      return "the tool's input schema could not be applied to them";
    }
  }
}
