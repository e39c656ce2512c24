// SHA256SUMS over every release artefact in a dist directory, in the format `sha256sum -c` reads.
import { readdirSync } from "node:fs"
import { join } from "node:path"

const ARTEFACT = /\.(tar\.gz|zip|deb|rpm|mcpb|tgz)$/

export async function sha256File(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256")
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk)
  return hasher.digest("hex")
}

/** Rewrites `<dist>/SHA256SUMS` from the artefacts present now; returns the file's path. */
export async function writeChecksums(dist: string): Promise<string> {
  const names = readdirSync(dist)
    .filter((name) => ARTEFACT.test(name))
    .sort()
  const lines: string[] = []
  for (const name of names) lines.push(`${await sha256File(join(dist, name))}  ${name}`)
  const out = join(dist, "SHA256SUMS")
  await Bun.write(out, lines.length ? `${lines.join("\n")}\n` : "")
  return out
}
