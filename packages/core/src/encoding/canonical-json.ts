import { canonicalString } from "./canonical-string.js";
import { type MemberName, memberLayout } from "./member-layout.js";

/**
 * RFC 8785 JSON Canonicalization Scheme. Used for argument hashes (`ahs`) and
 * ledger row hashes, so the same value always hashes the same on every side.
 *
 * Values follow JSON.stringify's model (toJSON is honoured, undefined object
 * members are omitted), but anything JSON cannot represent faithfully is
 * refused instead of silently rewritten: non-finite numbers, bigints, lone
 * surrogates, undefined array items, functions, symbols and cycles.
 */
export function canonicalJson(value: unknown): string {
  const writer = new CanonicalJsonWriter(undefined);
  writer.value(value);
  return writer.text;
}

/** How much canonical text is gathered before it is handed on: large enough to amortise each hand-off. */
const CHUNK_CHARS = 16 * 1024;

/**
 * Writes the canonical form of `value` to `sink` in chunks of about 16 K
 * characters, in order, so a hash can take it without the whole text (or a
 * string per nested container) ever being built. Throws as canonicalJson does;
 * what was written before a throw is a prefix, to be discarded. Returns the
 * text not yet handed on (all of it when shorter than a chunk): the caller
 * hands it on last, so short values never need a sink at all.
 */
export function writeCanonicalJson(value: unknown, sink: (chunk: string) => void): string {
  const writer = new CanonicalJsonWriter(sink);
  writer.value(value);
  return writer.text;
}

class CanonicalJsonWriter {
  /** The canonical text not yet handed to the sink (all of it, without a sink). */
  text = "";
  readonly #sink: ((chunk: string) => void) | undefined;
  /**
   * The containers being written: a value among them is a cycle. The
   * outermost few are scanned (cheaper than hashing for a usual depth); those
   * deeper are kept in a set, so a deep value is never a quadratic scan.
   */
  readonly #ancestors: object[] = [];
  #deepAncestors: Set<object> | undefined;
  #depth = 0;

  constructor(sink: ((chunk: string) => void) | undefined) {
    this.#sink = sink;
  }

  value(input: unknown): void {
    const value = toJsonValue(input);
    switch (typeof value) {
      case "string":
        this.text += canonicalString(value);
        return;
      case "number":
        if (!Number.isFinite(value)) {
          throw new TypeError(
            "canonicalJson: numbers must be finite (NaN and Infinity have no JSON form)",
          );
        }
        // ECMAScript's Number-to-String is exactly what RFC 8785 §3.2.2.3 asks for.
        this.text += String(value);
        return;
      case "boolean":
        this.text += value ? "true" : "false";
        return;
      case "object":
        if (value === null) this.text += "null";
        else this.#container(value);
        return;
      default:
        throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
    }
  }

  #container(value: object): void {
    this.#enter(value);
    if (Array.isArray(value)) {
      this.text += "[";
      for (let index = 0; index < value.length; index++) {
        const item: unknown = value[index];
        if (item === undefined)
          throw new TypeError("canonicalJson: arrays must not hold undefined");
        if (index > 0) this.text += ",";
        this.value(item);
      }
      this.text += "]";
    } else {
      const { keys, names } = memberLayout(value);
      let first = true;
      for (let index = 0; index < keys.length; index++) {
        const member = (value as Record<string, unknown>)[keys[index] as string];
        if (member === undefined) continue;
        const name = names[index] as MemberName;
        this.text += first ? name.first : name.next;
        first = false;
        this.value(member);
      }
      this.text += first ? "{}" : "}";
    }
    this.#leave(value);
    // Handed on between containers, never inside a token: one check per container.
    if (this.#sink !== undefined && this.text.length >= CHUNK_CHARS) {
      this.#sink(this.text);
      this.text = "";
    }
  }

  #enter(value: object): void {
    if (this.#ancestors.includes(value) || this.#deepAncestors?.has(value))
      throw new TypeError("canonicalJson: cyclic structures have no JSON form");
    if (this.#depth < SCANNED_DEPTH) this.#ancestors.push(value);
    else {
      this.#deepAncestors ??= new Set();
      this.#deepAncestors.add(value);
    }
    this.#depth++;
  }

  #leave(value: object): void {
    this.#depth--;
    if (this.#depth < SCANNED_DEPTH) this.#ancestors.pop();
    else this.#deepAncestors?.delete(value);
  }
}

/** How many of the outermost containers are kept in a list rather than a set. */
const SCANNED_DEPTH = 32;

function toJsonValue(value: unknown): unknown {
  if (value !== null && typeof value === "object" && "toJSON" in value) {
    const toJson = (value as { toJSON: unknown }).toJSON;
    if (typeof toJson === "function") return toJson.call(value);
  }
  return value;
}
