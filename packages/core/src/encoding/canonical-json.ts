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
  return serialize(value, new Set());
}

function serialize(input: unknown, ancestors: Set<object>): string {
  const value = toJsonValue(input);
  switch (typeof value) {
    case "string":
      return serializeString(value);
    case "number":
      if (!Number.isFinite(value)) {
        throw new TypeError(
          "canonicalJson: numbers must be finite (NaN and Infinity have no JSON form)",
        );
      }
      // ECMAScript's Number-to-String is exactly what RFC 8785 §3.2.2.3 asks for.
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      return serializeContainer(value, ancestors);
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`);
  }
}

function toJsonValue(value: unknown): unknown {
  if (value !== null && typeof value === "object" && "toJSON" in value) {
    const toJson = (value as { toJSON: unknown }).toJSON;
    if (typeof toJson === "function") return toJson.call(value);
  }
  return value;
}

function serializeString(value: string): string {
  if (!value.isWellFormed()) {
    throw new TypeError(
      "canonicalJson: strings must be well-formed Unicode (lone surrogate found)",
    );
  }
  return JSON.stringify(value);
}

function serializeContainer(value: object, ancestors: Set<object>): string {
  if (ancestors.has(value))
    throw new TypeError("canonicalJson: cyclic structures have no JSON form");
  ancestors.add(value);
  let out: string;
  if (Array.isArray(value)) {
    const items: string[] = [];
    for (const item of value) {
      if (item === undefined) throw new TypeError("canonicalJson: arrays must not hold undefined");
      items.push(serialize(item, ancestors));
    }
    out = `[${items.join(",")}]`;
  } else {
    const members: string[] = [];
    // Default sort compares UTF-16 code units, which is RFC 8785 §3.2.3's order.
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member === undefined) continue;
      members.push(`${serializeString(key)}:${serialize(member, ancestors)}`);
    }
    out = `{${members.join(",")}}`;
  }
  ancestors.delete(value);
  return out;
}
