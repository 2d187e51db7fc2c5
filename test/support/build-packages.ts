import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Global setup of the tests that run the build: brings every package's dist/
 * up to date with its sources. turbo rebuilds only the packages that changed
 * since the last build (`pnpm install` made the first), so this is quick when
 * none did.
 */
export default function buildPackages(): void {
  try {
    execFileSync(
      join(ROOT, "node_modules/.bin/turbo"),
      ["run", "build", "--output-logs=errors-only"],
      { cwd: ROOT, encoding: "utf8", stdio: "pipe" },
    );
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`The packages did not build (turbo run build):\n${stdout}${stderr}`);
  }
}
