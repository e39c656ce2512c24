// `npx image-generation-mcp`: the launcher package plus the per-platform binary package, packed with
// `npm pack` and installed offline from the tarballs (publishing is out of scope).
import { beforeAll, describe, expect, test } from "bun:test"
import { linkSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import pkg from "../../package.json" with { type: "json" }
import { renderServerJson } from "../../scripts/provider-metadata"
import { childPids, healthy, portFree, processGone, spawnWatched, until } from "../helpers/processes"
import { BUILD_TIMEOUT, builtBinary, exec, freePort, missingTools, runScript, scratchDir } from "./build"
import { generateShowList, stdioClient } from "./session"

const NAME = "image-generation-mcp"
const PLATFORMS = ["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64", "win32-x64"]
const noNpm = missingTools("the npm packages", ["npm", "npx", "node"]).length > 0
let npmDir = ""

beforeAll(async () => {
  if (noNpm) return
  const binary = await builtBinary("linux-x64")
  const dist = scratchDir("npm-dist")
  mkdirSync(join(dist, `${NAME}-linux-x64`, "bin"), { recursive: true })
  linkSync(binary, join(dist, `${NAME}-linux-x64`, "bin", NAME))
  await runScript("package-npm.ts", ["--dist", dist])
  npmDir = join(dist, "npm")
}, BUILD_TIMEOUT)

const tarball = (name: string) => join(npmDir, `${name}-${pkg.version}.tgz`)
const manifest = (name: string) => JSON.parse(readFileSync(join(npmDir, name, "package.json"), "utf8"))

/** An app directory with the given tarballs installed by npm, offline, with a private cache. */
async function installed(tarballs: string[]): Promise<{ app: string; env: Record<string, string> }> {
  const app = scratchDir("npm-app")
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true }))
  const env = { PATH: `${dirname(Bun.which("node") as string)}:/usr/bin:/bin`, HOME: app }
  const cache = join(app, ".npm-cache")
  const result = await exec(
    ["npm", "install", "--offline", `--cache=${cache}`, "--no-audit", "--no-fund", "--ignore-scripts", ...tarballs],
    { cwd: app, env },
  )
  if (result.code !== 0) throw new Error(`npm install failed:\n${result.stderr}`)
  return { app, env: { ...env, npm_config_cache: cache } }
}

describe.skipIf(noNpm)("npm packages", () => {
  test("the launcher depends on one package per platform, each declaring os, cpu (and libc)", () => {
    const launcher = manifest(NAME)
    expect(launcher.version).toBe(pkg.version)
    expect(launcher.bin).toEqual({ [NAME]: `bin/${NAME}.cjs` })
    expect(launcher.mcpName).toBe(JSON.parse(renderServerJson()).name)
    expect(Object.keys(launcher.optionalDependencies).sort()).toEqual(PLATFORMS.map((p) => `${NAME}-${p}`))
    expect(Object.values(launcher.optionalDependencies)).toEqual(PLATFORMS.map(() => pkg.version))
    const platform = manifest(`${NAME}-linux-x64`)
    expect(platform).toMatchObject({ version: pkg.version, os: ["linux"], cpu: ["x64"], libc: ["glibc"] })
  })

  test(
    "npx runs the binary from an offline install of the two tarballs: --version and a stdio session",
    async () => {
      const { app, env } = await installed([tarball(NAME), tarball(`${NAME}-linux-x64`)])
      const version = await exec(["npx", "--offline", "--no-install", NAME, "--version"], { cwd: app, env })
      expect(version.stdout.trim()).toBe(`${NAME} ${pkg.version}`)
      expect(version.code).toBe(0)
      const client = await stdioClient({
        command: join(app, "node_modules", ".bin", NAME),
        args: ["serve"],
        env: { ...env, IMAGE_GENERATION_MCP_READ_ONLY: "false" },
        cwd: app,
      })
      try {
        await generateShowList(client)
      } finally {
        await client.close()
      }
    },
    BUILD_TIMEOUT,
  )

  test(
    "the launcher passes SIGTERM on and exits 0; killed outright, the binary goes and frees the port",
    async () => {
      const { app, env } = await installed([tarball(NAME), tarball(`${NAME}-linux-x64`)])
      const launcher = join(app, "node_modules", ".bin", NAME)
      const start = async () => {
        const port = freePort()
        const proc = spawnWatched([launcher, "serve", "--transport", "http", "--port", String(port)], env)
        await until(() => healthy(port), "/healthz of the binary")
        const [server] = childPids(proc.proc.pid)
        expect(server).toBeNumber()
        return { proc, port, server: server as number }
      }
      const stopped = await start()
      stopped.proc.proc.kill("SIGTERM")
      expect(await stopped.proc.exited).toBe(0)
      expect(stopped.proc.stderr()).toContain("Shutting down (SIGTERM)")
      expect(portFree(stopped.port)).toBe(true)

      const killed = await start()
      killed.proc.proc.kill("SIGKILL")
      await until(() => processGone(killed.server), "the binary to exit after its launcher was killed")
      await until(() => portFree(killed.port), `port ${killed.port} to be free`)
      await killed.proc.exited
      expect(killed.proc.stderr()).toContain("Shutting down (launcher gone)")
    },
    BUILD_TIMEOUT,
  )

  test(
    "without its platform package, the launcher says which package is missing and exits 1",
    async () => {
      const { app, env } = await installed([tarball(NAME)])
      const result = await exec([join(app, "node_modules", ".bin", NAME), "--version"], { cwd: app, env })
      expect(result.code).toBe(1)
      expect(result.stderr).toContain(`no prebuilt binary for linux-${process.arch}`)
      expect(result.stderr).toContain(`optional dependency ${NAME}-linux-${process.arch}`)
    },
    BUILD_TIMEOUT,
  )
})
