// Builds image-generation-mcp_<version>_<arch>.deb with dpkg-deb from a compiled binary.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { type BuildTarget, DEB_ARCH, NAME } from "./build-targets"
import { fill, glibcFloor, PACKAGING, releaseDate, run } from "./dist-lib"
import { gzipNoTimestamp, stageCommonTree, stageFile } from "./package-linux-stage"

const MAINTAINER_SCRIPTS = {
  preinst: "preinstall.sh",
  postinst: "postinstall.sh",
  prerm: "preremove.sh",
  postrm: "postremove.sh",
}

export interface DebOptions {
  target: BuildTarget
  binary: string
  version: string
  outdir: string
  /** gzip -1 instead of xz -6: for tests, where the compression ratio does not matter. */
  fast: boolean
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? walk(path) : [path]
  })
}

export async function buildDeb(options: DebOptions): Promise<string> {
  const { target, binary, version } = options
  const arch = DEB_ARCH[target.arch]
  const root = mkdtempSync(join(tmpdir(), "igm-deb-"))
  chmodSync(root, 0o755)
  try {
    stageCommonTree(root, binary)
    const doc = `/usr/share/doc/${NAME}`
    stageFile(root, `${doc}/copyright`, readFileSync(join(PACKAGING, "deb", "copyright")), 0o644)
    const changelog = fill(readFileSync(join(PACKAGING, "deb", "changelog.in"), "utf8"), {
      VERSION: version,
      DATE: releaseDate().toUTCString().replace("GMT", "+0000"),
    })
    stageFile(root, `${doc}/changelog.gz`, gzipNoTimestamp(changelog), 0o644)
    stageFile(
      root,
      `/usr/share/lintian/overrides/${NAME}`,
      readFileSync(join(PACKAGING, "deb", "lintian-overrides")),
      0o644,
    )

    const files = walk(root).sort()
    const md5sums = await Promise.all(
      files.map(async (file) => {
        const hash = new Bun.CryptoHasher("md5").update(await Bun.file(file).arrayBuffer()).digest("hex")
        return `${hash}  ${relative(root, file)}`
      }),
    )
    const installedKiB = files.reduce((sum, file) => sum + Math.ceil(statSync(file).size / 1024), 0)

    const control = join(root, "DEBIAN")
    mkdirSync(control, { mode: 0o755 })
    const controlText = fill(readFileSync(join(PACKAGING, "deb", "control.in"), "utf8"), {
      VERSION: version,
      ARCH: arch,
      INSTALLED_SIZE: String(installedKiB),
      GLIBC_MIN: await glibcFloor(binary),
    })
    writeFileSync(join(control, "control"), controlText)
    writeFileSync(join(control, "conffiles"), `/etc/${NAME}/env.example\n`)
    writeFileSync(join(control, "md5sums"), `${md5sums.join("\n")}\n`)
    for (const name of ["control", "conffiles", "md5sums"]) chmodSync(join(control, name), 0o644)
    for (const [name, source] of Object.entries(MAINTAINER_SCRIPTS)) {
      writeFileSync(join(control, name), readFileSync(join(PACKAGING, "scripts", source)))
      chmodSync(join(control, name), 0o755)
    }

    mkdirSync(options.outdir, { recursive: true })
    const out = join(options.outdir, `${NAME}_${version}_${arch}.deb`)
    const compression = options.fast ? ["-Zgzip", "-z1"] : ["-Zxz", "-z6"]
    await run(["dpkg-deb", "--root-owner-group", ...compression, "--build", root, out])
    return out
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}
