// Helpers shared by the packaging scripts, which only read what scripts/build.ts left in dist/.
import { existsSync } from "node:fs"
import { join } from "node:path"
import { type BuildTarget, binaryPath, distDirName, TARGETS } from "./build-targets"

export const ROOT = join(import.meta.dir, "..")
export const PACKAGING = join(ROOT, "packaging")

/** The binary of `target` under `dist`, or undefined when that target was not built. */
export function builtBinary(dist: string, target: BuildTarget): string | undefined {
  const path = join(dist, distDirName(target), binaryPath(target))
  return existsSync(path) ? path : undefined
}

/** Targets whose binary exists in `dist`, optionally filtered. */
export function builtTargets(dist: string, keep: (t: BuildTarget) => boolean = () => true): BuildTarget[] {
  return TARGETS.filter((t) => keep(t) && builtBinary(dist, t) !== undefined)
}

/** Replaces every `${NAME}` in `template`; a placeholder without a value is an error, not an empty string. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => {
    const value = values[name]
    if (value === undefined) throw new Error(`template placeholder \${${name}} has no value`)
    return value
  })
}

/** Debian and RPM read `-` as the release separator: a semver pre-release `1.0.0-rc.1` becomes `1.0.0~rc.1`. */
export function packageVersion(version: string): string {
  return version.replace(/-/g, "~").replace(/\+.*$/, "")
}

/** The release date: SOURCE_DATE_EPOCH when set (reproducible rebuilds), else now. */
export function releaseDate(): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH
  return epoch ? new Date(Number(epoch) * 1000) : new Date()
}

/** Runs a command; throws with its stderr when it fails. Returns stdout. */
export async function run(cmd: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<string> {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: opts.env ?? process.env, stdout: "pipe", stderr: "pipe" })
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  if (code !== 0) throw new Error(`${cmd.join(" ")} failed (exit ${code}):\n${stderr.trim() || stdout.trim()}`)
  return stdout
}

/** The highest GLIBC_x.y symbol version the binary asks for: the libc it needs at least. */
export async function glibcFloor(binary: string): Promise<string> {
  const bytes = Buffer.from(await Bun.file(binary).arrayBuffer())
  let best = [2, 0]
  for (let at = bytes.indexOf("GLIBC_2."); at !== -1; at = bytes.indexOf("GLIBC_2.", at + 8)) {
    const match = /^GLIBC_(\d+)\.(\d+)/.exec(bytes.subarray(at, at + 16).toString("latin1"))
    if (!match) continue
    const version = [Number(match[1]), Number(match[2])]
    if ((version[0] as number) * 1000 + (version[1] as number) > (best[0] as number) * 1000 + (best[1] as number)) {
      best = version
    }
  }
  return best.join(".")
}
