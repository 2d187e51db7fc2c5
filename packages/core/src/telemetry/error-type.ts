/** An error's class name (`TypeError`), never its message: messages can echo argument values. */
export function errorType(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
