import type { Clock, RandomSource } from "../clock.js";

/** Two lowercase hex digits per byte value. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** The last millisecond an id was minted in, and its first 13 characters: ids come many a millisecond. */
let prefixTime = Number.NaN;
let prefix = "";

/** RFC 9562 UUIDv7: time-ordered, so ledger event ids sort by creation time. */
export function uuidV7(clock: Clock, random: RandomSource): string {
  const time = Math.floor(clock());
  if (time !== prefixTime) {
    // 48 bits of milliseconds, big-endian: 32 bits, a dash, 16 bits.
    const high = Math.floor(time / 0x10000)
      .toString(16)
      .padStart(8, "0");
    prefix = `${high}-${(time % 0x10000).toString(16).padStart(4, "0")}-`;
    prefixTime = time;
  }
  const bytes = random(10);
  const hex = (index: number) => HEX[bytes[index] as number] as string;
  const version = HEX[0x70 | ((bytes[0] as number) & 0x0f)] as string;
  const variant = HEX[0x80 | ((bytes[2] as number) & 0x3f)] as string;
  return `${prefix}${version}${hex(1)}-${variant}${hex(3)}-${hex(4)}${hex(5)}${hex(6)}${hex(7)}${hex(8)}${hex(9)}`;
}
