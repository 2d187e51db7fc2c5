/** Reads a dotted path from parsed arguments: own properties of plain objects, indexes of arrays. */
export function readArgumentPath(args: unknown, segments: readonly string[]): unknown {
  let current = args;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      const index = Number(segment);
      current =
        Number.isInteger(index) && index >= 0 && String(index) === segment
          ? current[index]
          : undefined;
    } else if (current !== null && typeof current === "object" && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}
