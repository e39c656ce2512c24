// (Re)builds the widget HTML (scripts/build-widgets.ts) when an output is missing or older than any file under
// src/widgets/, so a fresh clone works with `npm start` and `npm test`. Plain Node: it runs before Bun is known.
import { spawnSync } from "node:child_process"
import { existsSync, readdirSync, statSync } from "node:fs"
import { join } from "node:path"

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs
    newest = Math.max(newest, mtime)
  }
  return newest
}

/** True when some src/widgets/<name>/index.html has no built file, or a source is newer than the oldest output. */
export function widgetsStale(root) {
  const src = join(root, "src", "widgets")
  if (!existsSync(src)) return false
  const names = readdirSync(src, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== "shared" && existsSync(join(src, d.name, "index.html")))
    .map((d) => d.name)
  const outputs = names.map((name) => join(root, "src", "assets", "widgets", `${name}.html`))
  if (outputs.some((file) => !existsSync(file))) return true
  const oldest = Math.min(...outputs.map((file) => statSync(file).mtimeMs))
  return newestMtime(src) > oldest
}

/** Builds the widgets with the given Bun when stale; progress goes to stderr (stdout may be the MCP channel). */
export function ensureWidgets(root, bun) {
  if (!widgetsStale(root)) return true
  process.stderr.write("Building the widgets…\n")
  const result = spawnSync(bun, [join(root, "scripts", "build-widgets.ts")], {
    cwd: root,
    stdio: ["ignore", process.stderr, process.stderr],
  })
  return result.status === 0
}
