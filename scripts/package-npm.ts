#!/usr/bin/env bun
// Lays out the npm packages behind `npx image-generation-mcp` and packs them with `npm pack`:
//   dist/npm/image-generation-mcp/                 the launcher (bin + optionalDependencies)
//   dist/npm/image-generation-mcp-<platform>-<arch>/  one binary each, with os/cpu set so npm installs one
// Publishing is a separate step (`npm publish dist/npm/*.tgz`, platform packages first).
// It never builds: run scripts/build.ts first.
//
//   bun scripts/package-npm.ts [--dist dir]
import { chmodSync, copyFileSync, cpSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { basename, join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { type BuildTarget, NAME, nodePlatform, TARGETS, targetName, VERSION } from "./build-targets"
import { builtBinary, builtTargets, ROOT, run } from "./dist-lib"

const TEMPLATES = join(ROOT, "npm")

/** `image-generation-mcp-linux-x64`, `image-generation-mcp-win32-x64`, `image-generation-mcp-linux-x64-baseline`. */
export function npmPackageName(target: BuildTarget): string {
  return `${NAME}-${nodePlatform(target)}-${target.arch}${target.baseline ? "-baseline" : ""}`
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8"))
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`)
}

function platformPackage(dist: string, out: string, target: BuildTarget): string {
  const dir = join(out, npmPackageName(target))
  const binary = builtBinary(dist, target) as string
  mkdirSync(join(dir, "bin"), { recursive: true })
  try {
    linkSync(binary, join(dir, "bin", basename(binary)))
  } catch {
    copyFileSync(binary, join(dir, "bin", basename(binary)))
  }
  chmodSync(join(dir, "bin", basename(binary)), 0o755)
  const manifest = readJson(join(TEMPLATES, "platform", "package.json"))
  writeJson(join(dir, "package.json"), {
    ...manifest,
    name: npmPackageName(target),
    version: VERSION,
    description: `The image-generation-mcp binary for ${targetName(target)}; install image-generation-mcp instead`,
    os: [nodePlatform(target)],
    cpu: [target.arch],
    ...(target.os === "linux" ? { libc: ["glibc"] } : {}),
  })
  return dir
}

function launcherPackage(out: string): string {
  const dir = join(out, NAME)
  cpSync(join(TEMPLATES, "launcher"), dir, { recursive: true })
  chmodSync(join(dir, "bin", `${NAME}.cjs`), 0o755)
  const manifest = readJson(join(TEMPLATES, "launcher", "package.json"))
  // The baseline build is not a default dependency: every x64 Linux install would download it too.
  const optional = Object.fromEntries(TARGETS.filter((t) => !t.baseline).map((t) => [npmPackageName(t), VERSION]))
  writeJson(join(dir, "package.json"), { ...manifest, version: VERSION, optionalDependencies: optional })
  return dir
}

/** Writes the package directories and their `npm pack` tarballs under `<dist>/npm`; returns the tarballs. */
export async function packNpm(dist: string): Promise<string[]> {
  const targets = builtTargets(dist)
  if (targets.length === 0) throw new Error(`no binary in ${dist}: run scripts/build.ts first`)
  const out = join(dist, "npm")
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  const dirs = [launcherPackage(out), ...targets.map((t) => platformPackage(dist, out, t))]
  const tarballs: string[] = []
  for (const dir of dirs) {
    const packed = await run(["npm", "pack", "--json", "--pack-destination", out, dir])
    const [{ filename }] = JSON.parse(packed) as [{ filename: string }]
    tarballs.push(join(out, filename))
  }
  return tarballs
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { dist: { type: "string", default: join(ROOT, "dist") } },
    strict: true,
  })
  try {
    for (const tarball of await packNpm(resolve(values.dist))) console.error(`npm → ${tarball}`)
  } catch (error) {
    console.error(`package-npm: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  }
}
