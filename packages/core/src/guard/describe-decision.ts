import { errorSpec } from "../error-registry.js";
import type { DecisionCode } from "./decision.js";

interface DescribedFacts {
  readonly code: DecisionCode;
  readonly action: string;
  readonly path?: string;
  readonly decidedBy?: string;
}

/** The words of the two allowing codes; every refusal's are in the error registry. */
const ALLOWED: Readonly<Record<"granted" | "approval.granted", string>> = {
  granted: "Allowed: {action}.",
  "approval.granted": "Allowed with a human approval: {action}.",
};

/** What a placeholder reads outside a [bracketed part] when its fact is unknown. */
const UNKNOWN: Readonly<Record<string, string>> = { path: "?", decidedBy: "an agent in the chain" };

const PART_OR_PLACEHOLDER = /\[([^\]]*)\]|\{(\w+)\}/g;
const PLACEHOLDER = /\{(\w+)\}/g;

/**
 * The one place decisions become words. Messages go to models, so they name
 * the action, argument path and agent, never tokens, keys or argument values,
 * and never the bounds a model could game.
 */
export function describeDecision(facts: DescribedFacts): string {
  const { code } = facts;
  const template =
    code === "granted" || code === "approval.granted" ? ALLOWED[code] : errorSpec(code).message;
  const known: Readonly<Record<string, string | undefined>> = {
    action: facts.action,
    code,
    path: facts.path,
    decidedBy: facts.decidedBy,
  };
  // One pass, so a fact's own text is never read as a placeholder.
  return template.replace(PART_OR_PLACEHOLDER, (_, part?: string, name = "") => {
    if (part === undefined) return known[name] ?? UNKNOWN[name] ?? "";
    const names = Array.from(part.matchAll(PLACEHOLDER), ([, inner = ""]) => inner);
    if (names.some((inner) => known[inner] === undefined)) return "";
    return part.replace(PLACEHOLDER, (_match, inner: string) => known[inner] ?? "");
  });
}
