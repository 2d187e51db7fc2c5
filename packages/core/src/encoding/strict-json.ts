/**
 * JSON.parse keeps the last of duplicate member names; two parsers that
 * disagree on which one counts is a classic token-confusion bug. Token parts
 * are therefore parsed only after this scan proves every object's member names
 * unique (compared after unescaping, so "a" and "\u0061" collide).
 *
 * Returns the parsed value, or undefined when the text is not JSON or repeats
 * a member name.
 */
export function parseStrictJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const names = flatMemberNames(text);
  // A flat object (a token's header or claims) repeats a name exactly when
  // JSON.parse kept fewer members than the text names.
  if (names !== undefined) return names === Object.keys(value as object).length ? value : undefined;
  return hasDuplicateMemberNames(text) ? undefined : value;
}

/**
 * How many member names the text of an object holds, when it holds no nested
 * object or array; undefined for anything else. Assumes valid JSON.
 */
function flatMemberNames(text: string): number | undefined {
  let at = 0;
  while (isJsonSpace(text.charCodeAt(at))) at++;
  if (text.charCodeAt(at) !== 0x7b /* { */) return undefined;
  let names = 0;
  let expectingName = true;
  for (let i = at + 1; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === 0x22 /* " */) {
      if (expectingName) names++;
      expectingName = false;
      i = endOfString(text, i);
    } else if (char === 0x2c /* , */) expectingName = true;
    else if (char === 0x7b /* { */ || char === 0x5b /* [ */) return undefined;
  }
  return names;
}

function isJsonSpace(char: number): boolean {
  return char === 0x20 || char === 0x09 || char === 0x0a || char === 0x0d;
}

/** Assumes `text` is valid JSON (JSON.parse accepted it). */
function hasDuplicateMemberNames(text: string): boolean {
  // One entry per open container: a Set of names for objects, null for arrays.
  const stack: (Set<string> | null)[] = [];
  let expectingName = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === 0x22 /* " */) {
      const end = endOfString(text, i);
      const top = stack[stack.length - 1];
      if (expectingName && top) {
        const raw = text.slice(i + 1, end);
        const name = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (top.has(name)) return true;
        top.add(name);
        expectingName = false;
      }
      i = end;
    } else if (char === 0x7b /* { */) {
      stack.push(new Set());
      expectingName = true;
    } else if (char === 0x5b /* [ */) {
      stack.push(null);
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      stack.pop();
    } else if (char === 0x2c /* , */) {
      expectingName = stack[stack.length - 1] instanceof Set;
    }
  }
  return false;
}

function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === 0x5c /* \ */) i++;
    else if (char === 0x22) return i;
  }
  return text.length;
}
