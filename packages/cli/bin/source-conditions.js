// A module resolution hook: workspace packages export their TypeScript
// sources under the "@writ/source" condition, which this adds to every import.
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, {
    ...context,
    conditions: [...context.conditions, "@writ/source"],
  });
}
