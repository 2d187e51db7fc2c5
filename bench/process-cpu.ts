import { readFileSync } from "node:fs";

/** Linux's USER_HZ: /proc counts CPU time in these ticks a second. */
const CLOCK_TICKS = 100;

/** The CPU time (user + system, every thread) process `pid` has used so far, in ms (Linux /proc, 10 ms steps). */
export function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
