import { canonicalString } from "./canonical-string.js";

/** An object's members in RFC 8785 order, with each name as it is written. */
export type MemberLayout = {
  /** The own enumerable keys as Object.keys gave them: what a later object is matched against. */
  readonly found: readonly string[];
  /** The keys in RFC 8785 §3.2.3's order: by UTF-16 code units. */
  readonly keys: readonly string[];
  /** How each of `keys` is written, in the same order. */
  readonly names: readonly MemberName[];
};

/** A member's name as written: `{"key":` when it is the first written, `,"key":` after. */
export type MemberName = { readonly first: string; readonly next: string };

/**
 * The layouts of the objects written last. Arguments repeat a few shapes (the
 * rows of a list, the same tool called again), so most objects find theirs
 * here and are neither sorted nor have their names escaped again: an object
 * reuses a layout only when its keys are exactly the same, in the same order.
 */
const RECENT = 8;
const recent: (MemberLayout | undefined)[] = new Array(RECENT).fill(undefined);
let latest = 0;

/** Objects with more keys than this are laid out afresh each time, so the cache holds little. */
const CACHED_KEYS = 64;

/** The layout of `value`'s own enumerable keys. */
export function memberLayout(value: object): MemberLayout {
  const found = Object.keys(value);
  for (let step = 0; step < RECENT; step++) {
    const at = (latest + RECENT - step) % RECENT;
    const layout = recent[at];
    if (layout !== undefined && sameKeys(layout.found, found)) {
      latest = at;
      return layout;
    }
  }
  const layout = layOut(found);
  if (found.length <= CACHED_KEYS) {
    latest = (latest + 1) % RECENT;
    recent[latest] = layout;
  }
  return layout;
}

function sameKeys(known: readonly string[], found: readonly string[]): boolean {
  if (known.length !== found.length) return false;
  for (let index = 0; index < found.length; index++) {
    if (known[index] !== found[index]) return false;
  }
  return true;
}

function layOut(found: readonly string[]): MemberLayout {
  const keys = sortedKeys(found);
  return { found, keys, names: keys.map(memberName) };
}

/**
 * Member names repeat across calls and shapes (the same tools take the same
 * arguments): the written forms of short ones are kept, up to a bound, so
 * laying out a shape not seen lately is mostly lookups.
 */
const MEMBER_NAMES = new Map<string, MemberName>();
const MEMBER_NAMES_KEPT = 4096;
const MEMBER_NAME_CHARS = 64;

function memberName(key: string): MemberName {
  let name = MEMBER_NAMES.get(key);
  if (name !== undefined) return name;
  const written = `${canonicalString(key)}:`;
  name = { first: `{${written}`, next: `,${written}` };
  if (key.length <= MEMBER_NAME_CHARS && MEMBER_NAMES.size < MEMBER_NAMES_KEPT)
    MEMBER_NAMES.set(key, name);
  return name;
}

/** Below this many members an insertion sort beats Array.prototype.sort's set-up. */
const SMALL_OBJECT = 16;

/** A sorted copy: `<` on strings and the default sort both compare UTF-16 code units. */
function sortedKeys(found: readonly string[]): string[] {
  const keys = found.slice();
  if (keys.length > SMALL_OBJECT) return keys.sort();
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index] as string;
    let at = index - 1;
    while (at >= 0 && (keys[at] as string) > key) {
      keys[at + 1] = keys[at] as string;
      at--;
    }
    keys[at + 1] = key;
  }
  return keys;
}
