#!/usr/bin/env node
// Runs the server from a source checkout or an npm install using the Bun that comes from npm.
// In a fresh clone it first installs the dependencies (their output goes to stderr: stdout is the MCP channel).
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { supervise } from "../npm/launcher/bin/supervise.cjs"
import { ensureWidgets } from "../scripts/ensure-widgets.mjs"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const entry = join(root, "src", "cli", "index.ts")

function findBun() {
  try {
    const pkg = createRequire(join(root, "package.json")).resolve("bun/package.json")
    const bin = join(dirname(pkg), "bin", "bun.exe")
    return existsSync(bin) ? bin : undefined
  } catch {
    return undefined
  }
}

let bun = findBun()
if (!bun && existsSync(join(root, "package-lock.json"))) {
  process.stderr.write("image-generation-mcp: installing dependencies (first run)…\n")
  const npm = process.platform === "win32" ? "npm.cmd" : "npm"
  const result = spawnSync(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: root,
    stdio: ["ignore", process.stderr, process.stderr],
  })
  if (result.status !== 0) process.exit(result.status ?? 1)
  bun = findBun()
}
if (!bun) {
  process.stderr.write("image-generation-mcp: could not find the Bun runtime (the `bun` npm package).\n")
  process.exit(1)
}
if (!ensureWidgets(root, bun)) {
  process.stderr.write("image-generation-mcp: building the widgets failed.\n")
  process.exit(1)
}

// The same supervision as the npm launcher: signals passed on, the child's status passed back, and the server
// stops when this process is killed outright.
supervise(bun, [entry, ...process.argv.slice(2)], { name: "image-generation-mcp" })
