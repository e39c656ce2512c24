// Builds every src/widgets/<name>/index.html (except shared/) into one self-contained, minified HTML file at
// src/assets/widgets/<name>.html, which src/assets/index.ts embeds. Run: bun scripts/build-widgets.ts
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"

const root = join(import.meta.dir, "..")
export const WIDGETS_SRC = join(root, "src", "widgets")
export const WIDGETS_OUT = join(root, "src", "assets", "widgets")

/** Widget names: the folders of src/widgets that hold an index.html. */
export function widgetNames(): string[] {
  return readdirSync(WIDGETS_SRC, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== "shared")
    .filter((d) => readdirSync(join(WIDGETS_SRC, d.name)).includes("index.html"))
    .map((d) => d.name)
    .sort()
}

/** Everything in `html` that would make a browser fetch another file; empty when the file stands alone. */
export function externalReferences(html: string): string[] {
  const found: string[] = []
  for (const match of html.matchAll(/<(script|link|img|iframe|source|embed)\b[^>]*>/gi)) {
    const tag = match[0]
    const ref = tag.match(/\s(?:src|href)\s*=\s*["']?([^"'\s>]+)/i)?.[1]
    if (ref && !ref.startsWith("data:") && !ref.startsWith("#")) found.push(tag)
  }
  for (const match of html.matchAll(/@import\s+(?:url\()?\s*["']?([^"')\s;]+)/gi)) {
    if (!match[1]?.startsWith("data:")) found.push(match[0])
  }
  return found
}

async function buildOne(name: string, outdir: string): Promise<string> {
  const entry = join(WIDGETS_SRC, name, "index.html")
  const result = await Bun.build({ entrypoints: [entry], target: "browser", compile: true, minify: true, outdir })
  if (!result.success) {
    throw new AggregateError(result.logs, `Building widget '${name}' failed:\n${result.logs.join("\n")}`)
  }
  const outputs = result.outputs.map((o) => relative(outdir, o.path))
  if (outputs.length !== 1 || !outputs[0]?.endsWith(".html")) {
    throw new Error(`Widget '${name}' did not build into one HTML file: ${outputs.join(", ")}`)
  }
  const html = readFileSync(join(outdir, outputs[0]), "utf8")
  const external = externalReferences(html)
  if (external.length > 0) {
    throw new Error(`Widget '${name}' still references other files:\n  ${external.slice(0, 5).join("\n  ")}`)
  }
  return html
}

/** Builds all widgets; each output is replaced atomically, so a failed build leaves the previous files. */
export async function buildWidgets(): Promise<void> {
  mkdirSync(WIDGETS_OUT, { recursive: true })
  const scratch = mkdtempSync(join(tmpdir(), "igm-widgets-"))
  try {
    for (const name of widgetNames()) {
      const html = await buildOne(name, join(scratch, name))
      const target = join(WIDGETS_OUT, `${name}.html`)
      writeFileSync(`${target}.tmp`, html)
      renameSync(`${target}.tmp`, target)
      console.error(`widgets: ${name}.html ${(html.length / 1024).toFixed(1)} KiB`)
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  await buildWidgets().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  })
}
