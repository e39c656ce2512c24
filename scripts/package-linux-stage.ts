// The file tree the .deb and the .rpm both install, staged in a temporary directory.
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { NAME } from "./build-targets"
import { PACKAGING } from "./dist-lib"
import { renderEnvExample } from "./provider-metadata"

export interface StagedFile {
  /** Absolute path on the installed system. */
  path: string
  mode: number
}

/** The paths the packages install (besides format-specific docs), with their modes. */
export const INSTALLED: readonly StagedFile[] = [
  { path: `/usr/bin/${NAME}`, mode: 0o755 },
  { path: `/usr/lib/systemd/system/${NAME}.service`, mode: 0o644 },
  { path: `/etc/${NAME}/env.example`, mode: 0o644 },
  { path: `/usr/share/man/man1/${NAME}.1.gz`, mode: 0o644 },
]

export const STATE_DIR = `/var/lib/${NAME}`

export function stageFile(root: string, path: string, content: Uint8Array | string, mode: number): void {
  const target = join(root, path)
  mkdirSync(dirname(target), { recursive: true, mode: 0o755 })
  writeFileSync(target, content)
  chmodSync(target, mode)
}

/** gzip -9n: no name, no timestamp, so the package is reproducible. */
export function gzipNoTimestamp(data: Uint8Array | string): Uint8Array {
  return Bun.gzipSync(typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data), { level: 9 })
}

/** Stages the shared tree under `root`; `binary` is the compiled server for the package's architecture. */
export function stageCommonTree(root: string, binary: string): void {
  mkdirSync(join(root, "usr", "bin"), { recursive: true, mode: 0o755 })
  copyFileSync(binary, join(root, "usr", "bin", NAME))
  chmodSync(join(root, "usr", "bin", NAME), 0o755)
  const read = (path: string) => readFileSync(join(PACKAGING, path))
  stageFile(root, `/usr/lib/systemd/system/${NAME}.service`, read(`systemd/${NAME}.service`), 0o644)
  stageFile(root, `/etc/${NAME}/env.example`, renderEnvExample(), 0o644)
  stageFile(root, `/usr/share/man/man1/${NAME}.1.gz`, gzipNoTimestamp(read(`man/${NAME}.1`)), 0o644)
}
