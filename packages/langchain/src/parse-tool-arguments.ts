import { Validator } from "@langchain/core/utils/json_schema";
import { interopSafeParseAsync, isInteropZodSchema } from "@langchain/core/utils/types";

export type ParsedArguments =
  | { readonly ok: true; readonly args: unknown }
  | { readonly ok: false; readonly message: string };

type JsonSchema = ConstructorParameters<typeof Validator>[0];

/**
 * Parses a model's raw tool arguments exactly as the tool itself will
 * (StructuredTool.call: Zod v3/v4 schemas are parsed, JSON schemas validated),
 * so conditions are evaluated on the values the tool runs with. A tool
 * without a schema (or no registered tool) gets the raw arguments.
 */
export async function parseToolArguments(
  tool: unknown,
  args: Record<string, unknown>,
): Promise<ParsedArguments> {
  const schema =
    tool !== null && typeof tool === "object" && "schema" in tool ? tool.schema : undefined;
  if (schema === undefined || schema === null) return { ok: true, args };
  if (isInteropZodSchema(schema)) {
    const result = await interopSafeParseAsync(schema, args);
    if (result.success) return { ok: true, args: result.data };
    return rejected(
      result.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
    );
  }
  const result = new Validator(schema as JsonSchema).validate(args);
  if (result.valid) return { ok: true, args };
  return rejected(result.errors.map((error) => `${error.instanceLocation}: ${error.error}`));
}

function rejected(problems: readonly string[]): ParsedArguments {
  return {
    ok: false,
    message: `Received tool input did not match expected schema:\n${problems.map((problem) => `- ${problem}`).join("\n")}\nPlease fix the arguments and try again.`,
  };
}
