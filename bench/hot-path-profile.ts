/**
 * A CPU profile of the in-memory hot path (issue 22): guard.authorize or
 * guard.run on the hot-path shapes, calls signed ahead so the profile shows
 * the guard, not the caller.
 *
 *   pnpm build && node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx \
 *     bench/hot-path-profile.ts authorize|run [calls]
 */
import { hotPathWorld } from "./hot-path-shapes.js";

const mode = process.argv[2] === "run" ? "run" : "authorize";
const calls = Number(process.argv[3] ?? 20_000);
const { guard, freshCall } = await hotPathWorld();
const prepared = Array.from({ length: calls }, freshCall);
for (const call of prepared) {
  const decision = mode === "run" ? await guard.run(call, () => "ok") : await guard.authorize(call);
  if (mode === "authorize" && (decision as { effect: string }).effect !== "allow")
    throw new Error("the hot-path call was refused");
}
await guard.close();
