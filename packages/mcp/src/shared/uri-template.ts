/**
 * Whether a URI could come from an RFC 6570 URI template, as MCP resource
 * templates write them (`file:///{path}`, `users://{id}/profile{?fields}`).
 * Literal parts must match exactly; each expression matches what its
 * operator can expand to: a simple `{x}` one path segment's worth, `{+x}`
 * and `{#x}` anything, `{/x}` path segments, `{?x}` / `{&x}` a query.
 */
export function uriTemplateMatches(template: string, uri: string): boolean {
  let pattern = "^";
  let at = 0;
  for (const expression of template.matchAll(/\{([^{}]*)\}/g)) {
    pattern += escapeLiteral(template.slice(at, expression.index));
    pattern += EXPANSION[expression[1]?.[0] ?? ""] ?? EXPANSION[""];
    at = expression.index + expression[0].length;
  }
  pattern += `${escapeLiteral(template.slice(at))}$`;
  return new RegExp(pattern, "u").test(uri);
}

/** The literal part of a template before its first expression: how specific the template is. */
export function uriTemplatePrefix(template: string): string {
  const open = template.indexOf("{");
  return open === -1 ? template : template.slice(0, open);
}

const EXPANSION: Readonly<Record<string, string>> = {
  "": "[^/?#]*",
  "+": ".*",
  "#": "(?:#.*)?",
  ".": "(?:\\.[^/?#]*)*",
  "/": "(?:/[^/?#]*)*",
  ";": "(?:;[^/?#]*)*",
  "?": "(?:\\?[^#]*)?",
  "&": "(?:&[^#]*)?",
};

function escapeLiteral(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
