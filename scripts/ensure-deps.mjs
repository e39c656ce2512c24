// Installs the locked dependencies when they are missing and builds the widgets when stale, so `npm test` works
// on a fresh clone.
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { ensureWidgets } from "./ensure-widgets.mjs"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const marker = join(root, "node_modules", ".package-lock.json")
if (!existsSync(join(root, "node_modules", "bun", "package.json")) || !existsSync(marker)) {
  console.error("Installing dependencies with npm ci…")
  const npm = process.platform === "win32" ? "npm.cmd" : "npm"
  const result = spawnSync(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: root, stdio: "inherit" })
  if (result.status !== 0) process.exit(result.status ?? 1)
}
if (!ensureWidgets(root, join(root, "node_modules", "bun", "bin", "bun.exe"))) process.exit(1)
