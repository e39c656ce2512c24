// A throwaway root for `dpkg --root`: an empty tree with a dpkg database that knows only libc6 (the one
// dependency) and an /etc with root alone. Maintainer scripts run chrootless against it (DPKG_ROOT).
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { exec, scratchDir } from "./build"

const HOST_ARCH = { x64: "amd64", arm64: "arm64" }[process.arch as "x64" | "arm64"]

/** The host's libc6 stanza from /var/lib/dpkg/status: it satisfies the package's only Depends. */
function libcStanza(): string {
  const status = readFileSync("/var/lib/dpkg/status", "utf8")
  const stanza = status
    .split(/\n\n+/)
    .find((s) => /^Package: libc6$/m.test(s) && new RegExp(`^Architecture: ${HOST_ARCH}$`, "m").test(s))
  if (!stanza) throw new Error("libc6 is not in /var/lib/dpkg/status")
  return `${stanza}\n\n`
}

export function createRoot(): string {
  const root = scratchDir("root")
  chmodSync(root, 0o755)
  const dpkg = join(root, "var", "lib", "dpkg")
  for (const dir of ["info", "updates", "triggers"]) mkdirSync(join(dpkg, dir), { recursive: true })
  writeFileSync(join(dpkg, "status"), libcStanza())
  writeFileSync(join(dpkg, "available"), "")
  writeFileSync(join(dpkg, "info", `libc6:${HOST_ARCH}.list`), "")
  mkdirSync(join(root, "etc"))
  writeFileSync(join(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n")
  writeFileSync(join(root, "etc", "group"), "root:x:0:\n")
  writeFileSync(join(root, "etc", "shadow"), "root:*:19000:0:99999:7:::\n", { mode: 0o640 })
  writeFileSync(join(root, "etc", "gshadow"), "root:*::\n", { mode: 0o640 })
  return root
}

/** `dpkg --root=<root> --force-script-chrootless <args>`; throws with dpkg's output on failure. */
export async function dpkgRoot(root: string, args: string[]): Promise<string> {
  const result = await exec(["dpkg", `--root=${root}`, "--force-script-chrootless", ...args])
  if (result.code !== 0)
    throw new Error(`dpkg ${args.join(" ")} exited ${result.code}:\n${result.stderr}${result.stdout}`)
  return result.stdout + result.stderr
}

/** The passwd or group entry for `name` in the root, split into fields. */
export function entry(root: string, file: "passwd" | "group", name: string): string[] | undefined {
  return readFileSync(join(root, "etc", file), "utf8")
    .split("\n")
    .map((line) => line.split(":"))
    .find((fields) => fields[0] === name)
}
