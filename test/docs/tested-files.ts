import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

/** The files a test runs: the tests, and what they import, transitively. */
export function filesTestsRun(root: string): Set<string> {
  const queue: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.name === "node_modules" || entry.name === "dist") continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".test.ts")) queue.push(path);
    }
  };
  walk("test");
  for (const group of ["packages", "examples"]) {
    for (const name of readdirSync(join(root, group))) {
      if (existsSync(join(root, group, name, "test"))) walk(join(group, name, "test"));
    }
  }
  const reached = new Set<string>();
  while (queue.length > 0) {
    const file = queue.pop() ?? "";
    if (reached.has(file) || !existsSync(join(root, file))) continue;
    reached.add(file);
    const source = readFileSync(join(root, file), "utf8");
    for (const [, specifier] of source.matchAll(/(?:from |import\()"(\.{1,2}\/[^"]+)"/g)) {
      const target = relative(root, join(root, file, "..", specifier ?? ""));
      queue.push(target.replace(/\.js$/, ".ts"));
    }
  }
  return reached;
}
