/** The files the filesystem server serves: a fresh folder per run. */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface DataFolder {
  readonly root: string;
  remove(): void;
}

export function createDataFolder(): DataFolder {
  // realpath: on some systems the temporary folder is behind a symlink (macOS /var → /private/var).
  const root = realpathSync(mkdtempSync(join(tmpdir(), "writ-mcp-gateway-")));
  mkdirSync(join(root, "public"));
  mkdirSync(join(root, "finance", "reports"), { recursive: true });
  writeFileSync(
    join(root, "public", "handbook.md"),
    "# Handbook\n\nExpenses under $200 need no receipt. Travel is booked through the portal.\n",
  );
  writeFileSync(join(root, "finance", "payroll.csv"), "employee,monthly\nE-1,5400\nE-2,6100\n");
  // A shortcut someone left in public/: it leads into finance/, and the filesystem server
  // follows it (its real path is still under the root it serves).
  symlinkSync(join(root, "finance"), join(root, "public", "finance-shortcut"));
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
