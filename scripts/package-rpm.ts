// Builds image-generation-mcp-<version>-1.<arch>.rpm with rpmbuild from a compiled binary.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type BuildTarget, NAME, RPM_ARCH } from "./build-targets"
import { fill, PACKAGING, releaseDate, run } from "./dist-lib"
import { STATE_DIR, stageCommonTree, stageFile } from "./package-linux-stage"

export interface RpmOptions {
  target: BuildTarget
  binary: string
  version: string
  outdir: string
  /** gzip level 1 payload instead of xz level 6: for tests. */
  fast: boolean
}

/** A maintainer script as a scriptlet body: the shared sh file without its shebang and comment lines. */
function scriptlet(name: string): string {
  return readFileSync(join(PACKAGING, "scripts", name), "utf8")
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join("\n")
    .trim()
}

/** `Wed Nov 25 2026`, the date format of an RPM %changelog entry. */
function changelogDate(date: Date): string {
  const [weekday, day, month, year] = date.toUTCString().split(/,? /)
  return `${weekday} ${month} ${day} ${year}`
}

export async function buildRpm(options: RpmOptions): Promise<string> {
  const { target, binary, version } = options
  const arch = RPM_ARCH[target.arch]
  const work = mkdtempSync(join(tmpdir(), "igm-rpm-"))
  try {
    const stage = join(work, "stage")
    stageCommonTree(stage, binary)
    stageFile(stage, `/usr/share/licenses/${NAME}/LICENSE`, readFileSync(join(PACKAGING, "LICENSE")), 0o644)
    mkdirSync(join(stage, STATE_DIR), { recursive: true })
    chmodSync(join(stage, STATE_DIR), 0o750)

    const spec = join(work, `${NAME}.spec`)
    const template = readFileSync(join(PACKAGING, "rpm", `${NAME}.spec.in`), "utf8")
    writeFileSync(
      spec,
      fill(template, {
        VERSION: version,
        CHANGELOG_DATE: changelogDate(releaseDate()),
        STAGE: stage,
        PREINSTALL: scriptlet("preinstall.sh"),
        POSTINSTALL: scriptlet("postinstall.sh"),
        PREREMOVE: scriptlet("preremove.sh"),
        POSTREMOVE: scriptlet("postremove.sh"),
      }),
    )
    const define = (name: string, value: string) => ["--define", `${name} ${value}`]
    await run([
      "rpmbuild",
      "-bb",
      "--quiet",
      `--target=${arch}-linux`,
      ...define("_topdir", join(work, "rpmbuild")),
      ...define("_rpmdir", options.outdir),
      ...define("_build_name_fmt", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm"),
      ...define("_binary_payload", options.fast ? "w1.gzdio" : "w6T.xzdio"),
      spec,
    ])
    return join(options.outdir, `${NAME}-${version}-1.${arch}.rpm`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
