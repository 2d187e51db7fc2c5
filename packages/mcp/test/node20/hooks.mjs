// Resolves the conformance package's bare "fs" import to node:fs with globSync.
export async function resolve(specifier, context, next) {
  if (specifier === "fs" && context.parentURL?.includes("@modelcontextprotocol/conformance")) {
    return { url: new URL("./fs-with-glob.mjs", import.meta.url).href, shortCircuit: true };
  }
  return next(specifier, context);
}
