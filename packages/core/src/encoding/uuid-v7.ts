import type { Clock, RandomSource } from "../clock.js";

/** RFC 9562 UUIDv7: time-ordered, so ledger event ids sort by creation time. */
export function uuidV7(clock: Clock, random: RandomSource): string {
  const bytes = new Uint8Array(16);
  bytes.set(random(10), 6);
  let time = clock();
  for (let index = 5; index >= 0; index--) {
    bytes[index] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes[6] = 0x70 | ((bytes[6] as number) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] as number) & 0x3f);
  const hex = Buffer.from(bytes).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
