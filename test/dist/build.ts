// Builds the release binaries once per test run into one temporary dist directory shared by the
// test/dist files, through the real scripts (scripts/build.ts and the packaging scripts).
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { VERSION } from "../../scripts/build-targets"
import { packageVersion } from "../../scripts/dist-lib"

export const ROOT = join(import.meta.dir, "..", "..")
export const BUN = process.execPath
/**
 * The limit for CPU-bound work: building a binary (≈2 s), packing it (≈10 s), linting the packages (≈1–2 min),
 * running under qemu. It takes several times longer on a busy machine, so the limit is far above that.
 */
export const BUILD_TIMEOUT = 600_000

// One directory per test run under a fixed parent. `bun test` runs no exit hooks and each build is 120 MB, so a
// run removes what earlier runs left there, but only theirs: a run still going (another checkout's suite on the
// same machine) keeps its directory.
const PARENT = join(tmpdir(), "image-generation-mcp-dist-runs")
mkdirSync(PARENT, { recursive: true })
for (const name of readdirSync(PARENT)) {
  if (!/^\d+$/.test(name) || !isAlive(Number(name))) rmSync(join(PARENT, name), { recursive: true, force: true })
}
const BASE = join(PARENT, String(process.pid))
export const DIST = join(BASE, "dist")
mkdirSync(DIST, { recursive: true })

/** Whether a process with this id is running (signal 0 only checks). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** A fresh directory for one test, removed with the others when the next run starts. */
export function scratchDir(prefix: string): string {
  mkdirSync(join(BASE, "work"), { recursive: true })
  return mkdtempSync(join(BASE, "work", `${prefix}-`))
}

const builds = new Map<string, Promise<string>>()

/** Runs a script under scripts/ with Bun; throws with its output when it fails. */
export async function runScript(script: string, args: string[]): Promise<string> {
  const proc = Bun.spawn([BUN, join(ROOT, "scripts", script), ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  if (code !== 0) throw new Error(`scripts/${script} ${args.join(" ")} exited ${code}:\n${stderr}${stdout}`)
  return stderr + stdout
}

/** The compiled binary for `target` in DIST, built on first request (linux-x64 with its archive). */
export function builtBinary(target: "linux-x64" | "linux-arm64"): Promise<string> {
  let build = builds.get(target)
  if (!build) {
    const archive = target === "linux-x64" ? [] : ["--no-archive"]
    build = runScript("build.ts", ["--target", target, "--outdir", DIST, ...archive]).then(() =>
      join(DIST, `image-generation-mcp-${target}`, "bin", "image-generation-mcp"),
    )
    builds.set(target, build)
  }
  return build
}

type LinuxPackages = Record<"deb" | "rpm", Record<"amd64" | "arm64", string>>
let linuxPackages: Promise<LinuxPackages> | undefined

/**
 * The .deb and .rpm for both architectures, packed once (gzip -1: `--fast`) from the two Linux builds.
 * Only the formats whose tool is installed are packed; the other paths do not exist then.
 */
export function builtLinuxPackages(): Promise<LinuxPackages> {
  linuxPackages ??= (async () => {
    await Promise.all([builtBinary("linux-x64"), builtBinary("linux-arm64")])
    const formats = [Bun.which("dpkg-deb") && "deb", Bun.which("rpmbuild") && "rpm"].filter(Boolean) as string[]
    await runScript("package-linux.ts", ["--dist", DIST, "--fast", ...formats.flatMap((f) => ["--format", f])])
    const version = packageVersion(VERSION)
    return {
      deb: {
        amd64: join(DIST, `image-generation-mcp_${version}_amd64.deb`),
        arm64: join(DIST, `image-generation-mcp_${version}_arm64.deb`),
      },
      rpm: {
        amd64: join(DIST, `image-generation-mcp-${version}-1.x86_64.rpm`),
        arm64: join(DIST, `image-generation-mcp-${version}-1.aarch64.rpm`),
      },
    }
  })()
  return linuxPackages
}

/** The tools in `names` that are not on PATH; warns once, visibly, that `what` is skipped because of them. */
export function missingTools(what: string, names: string[]): string[] {
  const missing = names.filter((name) => !Bun.which(name))
  if (missing.length) console.warn(`SKIPPED ${what}: ${missing.join(", ")} not installed`)
  return missing
}

/** Warns that `what` is skipped for `reason` when `skip` holds; returns `skip` for test.skipIf. */
export function skipWhen(skip: boolean, what: string, reason: string): boolean {
  if (skip) console.warn(`SKIPPED ${what}: ${reason}`)
  return skip
}

/** A TCP port that was free a moment ago. */
export function freePort(): number {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() })
  const port = server.port as number
  server.stop(true)
  return port
}

/** Runs a command to completion; returns exit code and output without throwing. */
export async function exec(cmd: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: opts.env ?? process.env, stdout: "pipe", stderr: "pipe" })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  return { stdout, stderr, code }
}
