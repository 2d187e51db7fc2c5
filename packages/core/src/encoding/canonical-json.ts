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
  let text = "";
  writeCanonicalJson(value, (chunk) => {
    text += chunk;
  });
  return text;
}

/** How much canonical text is gathered before it is handed on: large enough to amortise each hand-off. */
const CHUNK_CHARS = 16 * 1024;

/**
 * Writes the canonical form of `value` to `sink` in chunks of about 16 K
 * characters, in order, so a hash can take it without the whole text (or a
 * string per nested container) ever being built. Throws as canonicalJson does;
 * what was written before a throw is a prefix, to be discarded.
 */
export function writeCanonicalJson(value: unknown, sink: (chunk: string) => void): void {
  const writer = new CanonicalJsonWriter(sink);
  writer.value(value);
  writer.flush();
}

class CanonicalJsonWriter {
  #pending = "";
  readonly #sink: (chunk: string) => void;
  readonly #ancestors = new Set<object>();

  constructor(sink: (chunk: string) => void) {
    this.#sink = sink;
  }

  flush(): void {
    if (this.#pending.length === 0) return;
    this.#sink(this.#pending);
    this.#pending = "";
  }

  value(input: unknown): void {
    const value = toJsonValue(input);
    switch (typeof value) {
      case "string":
        this.#append(serializeString(value));
        return;
      case "number":
        if (!Number.isFinite(value)) {
          throw new TypeError(
            "canonicalJson: numbers must be finite (NaN and Infinity have no JSON form)",
          );
        }
        // ECMAScript's Number-to-String is exactly what RFC 8785 §3.2.2.3 asks for.
        this.#append(String(value));
        return;
      case "boolean":
        this.#append(value ? "true" : "false");
        return;
      case "object":
        if (value === null) this.#append("null");
        else this.#container(value);
        return;
      default:
        throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
    }
  }

  #append(text: string): void {
    this.#pending += text;
    if (this.#pending.length >= CHUNK_CHARS) this.flush();
  }

  #container(value: object): void {
    if (this.#ancestors.has(value))
      throw new TypeError("canonicalJson: cyclic structures have no JSON form");
    this.#ancestors.add(value);
    if (Array.isArray(value)) {
      this.#pending += "[";
      for (let index = 0; index < value.length; index++) {
        const item: unknown = value[index];
        if (item === undefined)
          throw new TypeError("canonicalJson: arrays must not hold undefined");
        if (index > 0) this.#pending += ",";
        this.value(item);
      }
      this.#pending += "]";
    } else {
      this.#pending += "{";
      let first = true;
      // Default sort compares UTF-16 code units, which is RFC 8785 §3.2.3's order.
      for (const key of Object.keys(value).sort()) {
        const member = (value as Record<string, unknown>)[key];
        if (member === undefined) continue;
        this.#pending += first ? `${serializeString(key)}:` : `,${serializeString(key)}:`;
        first = false;
        this.value(member);
      }
      this.#pending += "}";
    }
    this.#ancestors.delete(value);
  }
}

function toJsonValue(value: unknown): unknown {
  if (value !== null && typeof value === "object" && "toJSON" in value) {
    const toJson = (value as { toJSON: unknown }).toJSON;
    if (typeof toJson === "function") return toJson.call(value);
  }
  return value;
}

/** A character JSON escapes, or half of a surrogate pair: such strings take the careful path. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding the control characters JSON escapes is the point
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;

function serializeString(value: string): string {
  // Most strings (names, ids, plain text) are written as they are, between quotes.
  if (!NEEDS_CARE.test(value)) return `"${value}"`;
  if (!value.isWellFormed()) {
    throw new TypeError(
      "canonicalJson: strings must be well-formed Unicode (lone surrogate found)",
    );
  }
  return JSON.stringify(value);
}
