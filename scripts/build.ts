#!/usr/bin/env bun
// Compiles the server into one self-contained binary per target:
//   dist/image-generation-mcp-<os>-<arch>[-baseline]/bin/image-generation-mcp[.exe]
// plus a .tar.gz (.zip for Windows) of each directory and dist/SHA256SUMS.
//
//   bun scripts/build.ts                 every target (same as --all)
//   bun scripts/build.ts --single        the host target only
//   bun scripts/build.ts --target linux-arm64 [--target …] [--outdir dir] [--no-archive]
import { chmodSync, mkdirSync, rmSync } from "node:fs"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import {
  type BuildTarget,
  binaryPath,
  bunTarget,
  distDirName,
  findTarget,
  hostTarget,
  TARGETS,
  targetName,
  VERSION,
} from "./build-targets"
import { buildWidgets } from "./build-widgets"
import { writeChecksums } from "./checksums"

const ROOT = join(import.meta.dir, "..")
const ENTRY = join(ROOT, "src", "cli", "index.ts")

export interface BuildOptions {
  targets: readonly BuildTarget[]
  outdir: string
  archive: boolean
}

/** The Bun.build options of a release binary: also used by the benchmark for its anchor server. */
export function compileConfig(target: BuildTarget, outfile: string, entry = ENTRY): Bun.BuildConfig {
  return {
    entrypoints: [entry],
    compile: {
      target: bunTarget(target),
      outfile,
      // A packaged service must not change behaviour because of a .env or bunfig.toml in its working directory.
      autoloadDotenv: false,
      autoloadBunfig: false,
      windows: target.os === "windows" ? { title: "image-generation-mcp", version: VERSION } : undefined,
    },
    // --bytecode needs ESM output; it halves the start-up of the compiled binary.
    bytecode: true,
    format: "esm",
    minify: true,
    // Embedded in the executable (~2 MB): stack traces point at src/ when something goes wrong.
    sourcemap: "inline",
  }
}

/** Compiles one target; returns the binary's path. */
export async function compileTarget(target: BuildTarget, outdir: string): Promise<string> {
  const dir = join(outdir, distDirName(target))
  rmSync(dir, { recursive: true, force: true })
  const outfile = join(dir, binaryPath(target))
  mkdirSync(join(dir, "bin"), { recursive: true })
  const result = await Bun.build(compileConfig(target, outfile))
  if (!result.success) {
    throw new AggregateError(result.logs, `build for ${targetName(target)} failed:\n${result.logs.join("\n")}`)
  }
  // The executable carries its source map; the copy Bun also writes next to it is not shipped.
  for (const output of result.outputs) if (output.kind === "sourcemap") rmSync(output.path, { force: true })
  chmodSync(outfile, 0o755)
  return outfile
}

async function run(cmd: string[], cwd: string): Promise<void> {
  const proc = Bun.spawn(cmd, { cwd, stdout: "inherit", stderr: "inherit" })
  if ((await proc.exited) !== 0) throw new Error(`${cmd[0]} failed (exit ${proc.exitCode}): ${cmd.join(" ")}`)
}

/** `<dir>.tar.gz` (`.zip` for Windows) next to the target directory; returns its path. */
export async function archiveTarget(target: BuildTarget, outdir: string): Promise<string> {
  const dir = distDirName(target)
  if (target.os === "windows") {
    const zip = `${dir}.zip`
    rmSync(join(outdir, zip), { force: true })
    await run(["zip", "-q", "-r", "-9", zip, dir], outdir)
    return join(outdir, zip)
  }
  const tarball = `${dir}.tar.gz`
  await run(["tar", "-czf", tarball, dir], outdir)
  return join(outdir, tarball)
}

export async function build(options: BuildOptions): Promise<void> {
  mkdirSync(options.outdir, { recursive: true })
  // The widget HTML is generated, then embedded through src/assets/index.ts.
  await buildWidgets()
  for (const target of options.targets) {
    const started = performance.now()
    const binary = await compileTarget(target, options.outdir)
    const size = (Bun.file(binary).size / 1024 / 1024).toFixed(1)
    console.error(
      `built ${targetName(target)} ${VERSION} → ${binary} (${size} MiB, ${Math.round(performance.now() - started)} ms)`,
    )
    if (options.archive) console.error(`archived → ${await archiveTarget(target, options.outdir)}`)
  }
  if (options.archive) console.error(`checksums → ${await writeChecksums(options.outdir)}`)
}

export function parseBuildArgs(argv: string[]): BuildOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      all: { type: "boolean", default: false },
      single: { type: "boolean", default: false },
      target: { type: "string", multiple: true },
      outdir: { type: "string", default: join(ROOT, "dist") },
      "no-archive": { type: "boolean", default: false },
    },
    strict: true,
  })
  const chosen = [values.all, values.single, values.target !== undefined].filter(Boolean).length
  if (chosen > 1) throw new Error("use only one of --all, --single and --target")
  const targets = values.single ? [hostTarget()] : values.target ? values.target.map(findTarget) : TARGETS
  return { targets, outdir: resolve(values.outdir), archive: !values["no-archive"] }
}

if (import.meta.main) {
  try {
    await build(parseBuildArgs(process.argv.slice(2)))
  } catch (error) {
    // Bun.build rejects with an AggregateError whose `errors` carry the bundler's messages.
    const details = error instanceof AggregateError ? error.errors.map(String) : []
    console.error([`build: ${error instanceof Error ? error.message : String(error)}`, ...details].join("\n  "))
    process.exit(1)
  }
}
