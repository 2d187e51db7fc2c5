import { createHash } from "node:crypto";
import type { Clock, RandomSource } from "../clock.js";

/** A clock that stays where you set it: `clock.set(ms)`, `clock.advance(ms)`. */
export function fixedClock(start: number | Date = Date.UTC(2026, 0, 1)): Clock & {
  set(time: number | Date): void;
  advance(ms: number): void;
} {
  let now = typeof start === "number" ? start : start.getTime();
  const clock = () => now;
  clock.set = (time: number | Date) => {
    now = typeof time === "number" ? time : time.getTime();
  };
  clock.advance = (ms: number) => {
    now += ms;
  };
  return clock;
}

/** Deterministic bytes from a seed (SHA-256 in counter mode), for reproducible ids in tests and vectors. */
export function seededRandom(seed: string): RandomSource {
  let counter = 0;
  return (size) => {
    const out = new Uint8Array(size);
    for (let offset = 0; offset < size; offset += 32) {
      const block = createHash("sha256").update(`${seed}:${counter++}`).digest();
      out.set(block.subarray(0, Math.min(32, size - offset)), offset);
    }
    return out;
  };
}
