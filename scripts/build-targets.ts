// The one list of platforms the release is built for, and the names each packaging format gives them.
import pkg from "../package.json" with { type: "json" }

export const NAME = "image-generation-mcp"
export const VERSION: string = pkg.version

export interface BuildTarget {
  os: "linux" | "darwin" | "windows"
  arch: "x64" | "arm64"
  /** x64 build for CPUs without AVX2 (Bun downloads a separate runtime for it). */
  baseline?: boolean
}

export const TARGETS: readonly BuildTarget[] = [
  { os: "linux", arch: "x64" },
  { os: "linux", arch: "x64", baseline: true },
  { os: "linux", arch: "arm64" },
  { os: "darwin", arch: "x64" },
  { os: "darwin", arch: "arm64" },
  { os: "windows", arch: "x64" },
]

/** `linux-x64`, `linux-x64-baseline`, `windows-x64`… */
export function targetName(t: BuildTarget): string {
  return `${t.os}-${t.arch}${t.baseline ? "-baseline" : ""}`
}

export function bunTarget(t: BuildTarget): Bun.Build.CompileTarget {
  return `bun-${targetName(t)}` as Bun.Build.CompileTarget
}

/** Directory under dist/ holding one target's build: `image-generation-mcp-linux-x64`. */
export function distDirName(t: BuildTarget): string {
  return `${NAME}-${targetName(t)}`
}

export function binaryName(t: BuildTarget): string {
  return t.os === "windows" ? `${NAME}.exe` : NAME
}

/** Path of the binary inside its dist directory. */
export function binaryPath(t: BuildTarget): string {
  return `bin/${binaryName(t)}`
}

/** Node's `process.platform` spelling, used by npm (`os`) and the .mcpb manifest. */
export function nodePlatform(t: BuildTarget): "linux" | "darwin" | "win32" {
  return t.os === "windows" ? "win32" : t.os
}

export const DEB_ARCH: Record<BuildTarget["arch"], string> = { x64: "amd64", arm64: "arm64" }
export const RPM_ARCH: Record<BuildTarget["arch"], string> = { x64: "x86_64", arm64: "aarch64" }

export function findTarget(name: string): BuildTarget {
  const found = TARGETS.find((t) => targetName(t) === name)
  if (!found) throw new Error(`unknown target '${name}' (targets: ${TARGETS.map(targetName).join(", ")})`)
  return found
}

/** The target matching the machine this runs on (never the baseline variant). */
export function hostTarget(): BuildTarget {
  const os = process.platform === "win32" ? "windows" : process.platform
  const arch = process.arch
  const found = TARGETS.find((t) => t.os === os && t.arch === arch && !t.baseline)
  if (!found) throw new Error(`no build target for this machine (${process.platform}-${process.arch})`)
  return found
}
