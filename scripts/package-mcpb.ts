#!/usr/bin/env bun
// Packs the binaries in dist/ into a Claude Desktop bundle, dist/image-generation-mcp-<version>.mcpb,
// validated and packed with the @anthropic-ai/mcpb CLI. It never builds: run scripts/build.ts first.
// The bundle holds every desktop binary present (darwin x64/arm64, win32 x64, linux x64/arm64) and
// declares only the platforms it can run on.
//
//   bun scripts/package-mcpb.ts [--dist dir]
import { chmodSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { type BuildTarget, NAME, nodePlatform, VERSION } from "./build-targets"
import { writeChecksums } from "./checksums"
import { builtBinary, builtTargets, PACKAGING, ROOT, run } from "./dist-lib"
import { renderManifestTemplate } from "./provider-metadata"

const MCPB = join(ROOT, "node_modules", ".bin", "mcpb")

/** Directory of a binary inside the bundle: `server/<node platform>-<arch>/`. */
export function bundleDir(target: BuildTarget): string {
  return `server/${nodePlatform(target)}-${target.arch}`
}

/** The manifest for `version`, declaring only the platforms of `targets`. */
export function manifestFor(version: string, targets: readonly BuildTarget[]): Record<string, unknown> {
  // Only ${VERSION} is ours; ${__dirname}, ${DOCUMENTS} and ${user_config.*} are for the host to fill in.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the template's placeholder, not a JS template
  const text = renderManifestTemplate().replaceAll("${VERSION}", version)
  const manifest = JSON.parse(text)
  const declared: string[] = manifest.compatibility.platforms
  const present = new Set(targets.map(nodePlatform))
  manifest.compatibility.platforms = declared.filter((p) => present.has(p as ReturnType<typeof nodePlatform>))
  if (!present.has("win32")) delete manifest.server.mcp_config.platform_overrides
  return manifest
}

function place(source: string, destination: string): void {
  try {
    linkSync(source, destination)
  } catch {
    copyFileSync(source, destination)
  }
}

export async function packMcpb(dist: string): Promise<string> {
  const targets = builtTargets(dist, (t) => !t.baseline)
  if (targets.length === 0) throw new Error(`no binary in ${dist}: run scripts/build.ts first`)
  const stage = mkdtempSync(join(tmpdir(), "igm-mcpb-"))
  try {
    writeFileSync(join(stage, "manifest.json"), `${JSON.stringify(manifestFor(VERSION, targets), null, 2)}\n`)
    mkdirSync(join(stage, "server"))
    copyFileSync(join(PACKAGING, "mcpb", "launch.sh"), join(stage, "server", "launch.sh"))
    chmodSync(join(stage, "server", "launch.sh"), 0o755)
    for (const target of targets) {
      const binary = builtBinary(dist, target) as string
      mkdirSync(join(stage, bundleDir(target)), { recursive: true })
      place(binary, join(stage, bundleDir(target), basename(binary)))
    }
    await run([MCPB, "validate", join(stage, "manifest.json")])
    const out = join(dist, `${NAME}-${VERSION}.mcpb`)
    await run([MCPB, "pack", stage, out])
    return out
  } finally {
    rmSync(stage, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { dist: { type: "string", default: join(ROOT, "dist") } },
    strict: true,
  })
  try {
    const dist = resolve(values.dist)
    console.error(`mcpb → ${await packMcpb(dist)}`)
    console.error(`checksums → ${await writeChecksums(dist)}`)
  } catch (error) {
    console.error(`package-mcpb: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
}
