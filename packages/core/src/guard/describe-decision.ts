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

/** A template's pieces: text, a fact's placeholder, or a [bracketed part] written only when its facts are known. */
type Piece =
  | { readonly text: string }
  | { readonly fact: string }
  | { readonly part: readonly Piece[]; readonly facts: readonly string[] };

/** Each template is read once into its pieces: a decision's words are then joined, not searched for. */
const compiled = new Map<string, readonly Piece[]>();

/**
 * The one place decisions become words. Messages go to models, so they name
 * the action, argument path and agent, never tokens, keys or argument values,
 * and never the bounds a model could game.
 */
export function describeDecision(facts: DescribedFacts): string {
  const { code } = facts;
  const template =
    code === "granted" || code === "approval.granted" ? ALLOWED[code] : errorSpec(code).message;
  let pieces = compiled.get(template);
  if (pieces === undefined) {
    pieces = piecesOf(template);
    compiled.set(template, pieces);
  }
  return write(pieces, facts);
}

/** One pass over the pieces, so a fact's own text is never read as a placeholder. */
function write(pieces: readonly Piece[], facts: DescribedFacts): string {
  let text = "";
  for (const piece of pieces) {
    if ("text" in piece) text += piece.text;
    else if ("fact" in piece) text += factOf(facts, piece.fact) ?? UNKNOWN[piece.fact] ?? "";
    else if (piece.facts.every((name) => factOf(facts, name) !== undefined))
      text += write(piece.part, facts);
  }
  return text;
}

function factOf(facts: DescribedFacts, name: string): string | undefined {
  return name === "action" || name === "code" || name === "path" || name === "decidedBy"
    ? facts[name]
    : undefined;
}

/** The pieces of a template, or of a bracketed part (which holds placeholders only). */
function piecesOf(template: string, inPart = false): Piece[] {
  const pieces: Piece[] = [];
  let at = 0;
  for (const match of template.matchAll(inPart ? PLACEHOLDER : PART_OR_PLACEHOLDER)) {
    if (match.index > at) pieces.push({ text: template.slice(at, match.index) });
    const [whole, first = "", second = ""] = match;
    if (inPart || match[1] === undefined) pieces.push({ fact: inPart ? first : second });
    else {
      const part = piecesOf(first, true);
      pieces.push({ part, facts: part.flatMap((inner) => ("fact" in inner ? [inner.fact] : [])) });
    }
    at = match.index + whole.length;
  }
  if (at < template.length) pieces.push({ text: template.slice(at) });
  return pieces;
}
