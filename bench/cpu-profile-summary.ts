/**
 * Where the CPU of profiled bench processes went: self and inclusive time per
 * function (name, file, line), and self time per package, summed over the
 * `.cpuprofile` files in a folder whose process ran a script matching
 * `<script>` (a gateway's: `create-gateway`; a bare proxy's: `mcp-bare-proxy`).
 * Idle time is left out; a function that recurses counts once per sample.
 *
 *   NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" pnpm bench mcp
 *   node --import tsx bench/cpu-profile-summary.ts /tmp/prof create-gateway [top]
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [folder, script, top = "30"] = process.argv.slice(2);
if (folder === undefined || script === undefined) {
  console.error("Usage: cpu-profile-summary.ts <folder of .cpuprofile files> <script> [top]");
  process.exit(2);
}

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const packages = new Map<string, number>();
let total = 0;
let profiles = 0;
const add = (into: Map<string, number>, key: string, µs: number) =>
  into.set(key, (into.get(key) ?? 0) + µs);

for (const file of readdirSync(folder).filter((name) => name.endsWith(".cpuprofile"))) {
  const profile = JSON.parse(readFileSync(join(folder, file), "utf8")) as CpuProfile;
  if (!profile.nodes.some(({ callFrame }) => callFrame.url.includes(script))) continue;
  profiles++;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id);
  for (const [index, id] of profile.samples.entries()) {
    const leaf = byId.get(id);
    const µs = profile.timeDeltas[index] ?? 0;
    if (leaf === undefined || leaf.callFrame.functionName === "(idle)") continue;
    total += µs;
    add(self, functionKey(leaf), µs);
    add(packages, packageOf(leaf.callFrame), µs);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const node = byId.get(at);
      if (node === undefined) break;
      const key = functionKey(node);
      if (!seen.has(key)) add(inclusive, key, µs);
      seen.add(key);
    }
  }
}

console.log(`${profiles} profiles, ${(total / 1000).toFixed(0)} ms of CPU (idle left out)`);
for (const [title, table] of [
  ["self time by package", packages],
  ["self time", self],
  ["inclusive time", inclusive],
] as const) {
  console.log(`\n${title}`);
  const rows = [...table].sort((a, b) => b[1] - a[1]).slice(0, Number(top));
  for (const [key, µs] of rows) {
    const share = ((100 * µs) / total).toFixed(1);
    console.log(`${(µs / 1000).toFixed(0).padStart(8)} ms ${share.padStart(5)} %  ${key}`);
  }
}

function functionKey({ callFrame }: ProfileNode): string {
  const where =
    callFrame.url === "" ? "" : ` ${basename(callFrame.url)}:${callFrame.lineNumber + 1}`;
  return `${callFrame.functionName || "(anonymous)"}${where}`;
}

/** A workspace package, a dependency, Node's own code, or V8's (program, GC, native). */
function packageOf(callFrame: ProfileNode["callFrame"]): string {
  const { url, functionName } = callFrame;
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node";
  const dependency = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (dependency !== undefined) return dependency;
  return /\/packages\/([^/]+)\//.exec(url)?.[1] ?? /\/(bench|examples)\//.exec(url)?.[1] ?? url;
}
