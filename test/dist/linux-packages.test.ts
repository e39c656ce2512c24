// The .deb and .rpm for amd64 and arm64: contents, modes, metadata, linters, and an install into a throwaway root.
import { beforeAll, describe, expect, test } from "bun:test"
import { readFileSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { VERSION } from "../../scripts/build-targets"
import { packageVersion } from "../../scripts/dist-lib"
import { renderEnvExample } from "../../scripts/provider-metadata"
import { BUILD_TIMEOUT, builtBinary, builtLinuxPackages, exec, missingTools, ROOT } from "./build"
import { createRoot, dpkgRoot, entry } from "./throwaway-root"

const NAME = "image-generation-mcp"
const ARCHES = ["amd64", "arm64"] as const
const RPM_ARCH = { amd64: "x86_64", arm64: "aarch64" }
const DIST_TARGET = { amd64: "linux-x64", arm64: "linux-arm64" } as const
const noDeb = missingTools("the .deb checks", ["dpkg-deb", "dpkg"]).length > 0
const noRpm = missingTools("the .rpm checks", ["rpmbuild", "rpm"]).length > 0
const noLintian = !noDeb && missingTools("lintian", ["lintian"]).length > 0
const noRpmlint = !noRpm && missingTools("rpmlint", ["rpmlint"]).length > 0
let packages: Awaited<ReturnType<typeof builtLinuxPackages>>

beforeAll(async () => {
  if (!noDeb || !noRpm) packages = await builtLinuxPackages()
}, BUILD_TIMEOUT)

async function ok(cmd: string[], cwd?: string): Promise<string> {
  const result = await exec(cmd, { cwd })
  if (result.code !== 0) throw new Error(`${cmd.join(" ")} exited ${result.code}:\n${result.stderr}${result.stdout}`)
  return result.stdout
}

/** `path → "mode owner"` from `dpkg-deb -c` (tar listing) lines. */
function debListing(text: string): Map<string, string> {
  const rows = text.trim().split("\n")
  return new Map(
    rows.map((row) => row.split(/\s+/)).map((f) => [(f[5] as string).replace(/^\./, ""), `${f[0]} ${f[1]}`]),
  )
}

async function sha256(path: string): Promise<string> {
  return new Bun.CryptoHasher("sha256").update(await Bun.file(path).arrayBuffer()).digest("hex")
}

describe("Linux packages", () => {
  test.skipIf(noDeb).each(ARCHES)(
    ".deb (%s): files, modes, metadata; the binary is the unstripped build",
    async (arch) => {
      const deb = packages.deb[arch]
      const files = debListing(await ok(["dpkg-deb", "-c", deb]))
      expect(files.get(`/usr/bin/${NAME}`)).toBe("-rwxr-xr-x root/root")
      expect(files.get(`/usr/lib/systemd/system/${NAME}.service`)).toBe("-rw-r--r-- root/root")
      expect(files.get(`/etc/${NAME}/env.example`)).toBe("-rw-r--r-- root/root")
      expect(files.get(`/usr/share/man/man1/${NAME}.1.gz`)).toBe("-rw-r--r-- root/root")
      expect(files.get(`/usr/share/doc/${NAME}/copyright`)).toBe("-rw-r--r-- root/root")
      const regular = [...files].filter(([, mode]) => !mode.startsWith("d")).map(([path]) => path)
      expect(
        regular.every((p) =>
          /^\/(usr\/(bin|lib\/systemd|share\/(doc|man|lintian))|etc\/image-generation-mcp)\//.test(p),
        ),
      ).toBe(true)
      const field = async (name: string) => (await ok(["dpkg-deb", "-f", deb, name])).trim()
      expect(await field("Package")).toBe(NAME)
      expect(await field("Version")).toBe(packageVersion(VERSION))
      expect(await field("Architecture")).toBe(arch)
      expect(await field("Depends")).toMatch(/^libc6 \(>= 2\.\d+\)$/)
      expect(await field("Maintainer")).toStartWith("image-generation-mcp maintainers <")
      expect((await ok(["dpkg-deb", "-I", deb, "conffiles"])).trim()).toBe(`/etc/${NAME}/env.example`)
      const extracted = await exec([
        "sh",
        "-c",
        `dpkg-deb --fsys-tarfile "$0" | tar -xO ./usr/bin/${NAME} | sha256sum`,
        deb,
      ])
      expect(extracted.stdout.split(" ")[0]).toBe(await sha256(await builtBinary(DIST_TARGET[arch])))
    },
  )

  test.skipIf(noRpm).each(ARCHES)(
    ".rpm (%s): files, modes, config flags and only libc among its dependencies",
    async (arch) => {
      const rpm = packages.rpm[arch]
      expect((await ok(["rpm", "-qp", "--qf", "%{NAME} %{VERSION} %{ARCH}", rpm])).trim()).toBe(
        `${NAME} ${packageVersion(VERSION)} ${RPM_ARCH[arch]}`,
      )
      const rows = (
        await ok([
          "rpm",
          "-qp",
          "--qf",
          "[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEFLAGS:fflags} %{FILENAMES}\\n]",
          rpm,
        ])
      )
        .trim()
        .split("\n")
      expect(rows).toContain(`-rwxr-xr-x root  /usr/bin/${NAME}`)
      expect(rows).toContain(`-rw-r--r-- root  /usr/lib/systemd/system/${NAME}.service`)
      expect(rows).toContain(`-rw-r--r-- root cn /etc/${NAME}/env.example`)
      expect(rows).toContain(`drwxr-x--- ${NAME}  /var/lib/${NAME}`)
      expect(rows).toContain(`-rw-r--r-- root l /usr/share/licenses/${NAME}/LICENSE`)
      expect((await ok(["rpm", "-qlp", rpm])).trim().split("\n")).toContain(`/usr/share/man/man1/${NAME}.1.gz`)
      const requires = (await ok(["rpm", "-qp", "--requires", rpm])).trim().split("\n")
      const libcOrSelf =
        /^(\/bin\/sh|rpmlib\(.*|config\(image-generation-mcp\) = .*|(ld-linux[-\w.]*|lib(c|m|dl|pthread))\.so\.\d(\(.*\))*)$/
      expect(requires.filter((r) => !libcOrSelf.test(r))).toEqual([])
      expect(requires).toContain("libc.so.6()(64bit)")
    },
  )

  test.skipIf(noDeb || noLintian)(
    "lintian: no errors and no warnings (the deliberate ones are overridden with reasons)",
    async () => {
      const result = await exec([
        "lintian",
        "--pedantic",
        "--fail-on",
        "error,warning",
        packages.deb.amd64,
        packages.deb.arm64,
      ])
      const findings = `${result.stdout}${result.stderr}`.split("\n").filter((l) => /^[EWP]: /.test(l))
      expect(findings).toEqual([])
      expect(result.code).toBe(0)
    },
    BUILD_TIMEOUT,
  )

  test.skipIf(noRpm || noRpmlint)(
    "rpmlint: no errors and no warnings (the deliberate ones are filtered with reasons)",
    async () => {
      const config = join(ROOT, "packaging", "rpm", "rpmlint.toml")
      const result = await exec(["rpmlint", "-c", config, packages.rpm.amd64, packages.rpm.arm64])
      expect(result.stdout).toContain("0 errors, 0 warnings")
      expect(result.code).toBe(0)
    },
    BUILD_TIMEOUT,
  )

  test.skipIf(noDeb)(
    "dpkg --root installs the user, group, state directory, env file and unit; upgrade keeps edits; purge keeps data",
    async () => {
      const root = createRoot()
      await dpkgRoot(root, ["-i", packages.deb.amd64])
      const user = entry(root, "passwd", NAME) as string[]
      const group = entry(root, "group", NAME) as string[]
      expect(user.slice(4)).toEqual(["image-generation-mcp service", `/var/lib/${NAME}`, "/usr/sbin/nologin"])
      expect(Number(user[2])).toBeLessThan(1000)
      expect(user[3]).toBe(group[2])

      const state = statSync(join(root, "var", "lib", NAME))
      expect([state.mode & 0o7777, state.uid, state.gid]).toEqual([0o750, Number(user[2]), Number(group[2])])
      const envFile = join(root, "etc", NAME, "env")
      const env = statSync(envFile)
      expect([env.mode & 0o7777, env.uid, env.gid]).toEqual([0o640, 0, Number(group[2])])
      expect(readFileSync(envFile, "utf8")).toBe(renderEnvExample())
      const unit = join(root, "usr", "lib", "systemd", "system", `${NAME}.service`)
      expect(readFileSync(unit, "utf8")).toBe(
        readFileSync(join(ROOT, "packaging", "systemd", `${NAME}.service`), "utf8"),
      )
      expect((await ok([join(root, "usr", "bin", NAME), "--version"])).trim()).toBe(`${NAME} ${VERSION}`)

      writeFileSync(envFile, "IMAGE_GENERATION_MCP_READ_ONLY=false\n")
      writeFileSync(join(root, "etc", NAME, "env.example"), "# edited by the admin\n")
      await dpkgRoot(root, ["-i", packages.deb.amd64])
      expect(readFileSync(envFile, "utf8")).toBe("IMAGE_GENERATION_MCP_READ_ONLY=false\n")
      expect(readFileSync(join(root, "etc", NAME, "env.example"), "utf8")).toBe("# edited by the admin\n")

      await dpkgRoot(root, ["--purge", NAME])
      expect(() => statSync(envFile)).toThrow()
      expect(statSync(join(root, "var", "lib", NAME)).isDirectory()).toBe(true)
      expect(entry(root, "passwd", NAME)).toBeDefined()
    },
    BUILD_TIMEOUT,
  )
})
