// The Node launcher in bin/ (what `npm start` runs): signals are passed on to the server, its status comes back,
// and a launcher killed outright (SIGKILL) does not leave the server behind. The npx launcher shares the same
// supervision (npm/launcher/bin/supervise.cjs) and is tested against the compiled binary in test/dist/npm.test.ts.
import { describe, expect, test } from "bun:test"
import { closeSync, openSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { MIGRATIONS } from "@/assets"
import { tmpdir } from "../fixture/tmpdir"
import { ROOT } from "../helpers/cli"
import {
  childPids,
  expectStateIntact,
  freePort,
  healthy,
  portFree,
  processGone,
  spawnWatched,
  until,
} from "../helpers/processes"

const LAUNCHER = join(ROOT, "bin", "image-generation-mcp.mjs")
const node = Bun.which("node")
const TIMEOUT = 60_000

function env(path: string, extra: Record<string, string> = {}) {
  return {
    PATH: process.env.PATH ?? "",
    HOME: path,
    IMAGE_GENERATION_MCP_DB_PATH: join(path, "state.sqlite"),
    IMAGE_GENERATION_MCP_SCRATCH_DIR: join(path, "images"),
    ...extra,
  }
}

/** The launcher running `args`, once its server child exists; `server` is the child's pid. */
async function launched(args: string[], environment: Record<string, string>, ready = "Starting", stdin?: number) {
  const launcher = spawnWatched([node as string, LAUNCHER, ...args], environment, stdin)
  await launcher.waitForStderr(ready)
  const [server] = childPids(launcher.proc.pid)
  expect(server).toBeNumber()
  return { launcher, server: server as number }
}

describe.skipIf(!node || process.platform !== "linux")("the bin/ launcher", () => {
  test.each(["SIGTERM", "SIGINT", "SIGHUP"] as const)(
    "passes %s on to the server, which shuts down gracefully; the launcher exits with its status 0",
    async (signal) => {
      await using dir = await tmpdir()
      const { launcher, server } = await launched(["serve"], env(dir.path))
      launcher.proc.kill(signal)
      expect(await launcher.exited).toBe(0)
      expect(launcher.stderr()).toContain(`Shutting down (${signal})`)
      expect(processGone(server)).toBe(true)
      expectStateIntact(join(dir.path, "state.sqlite"), join(dir.path, "images"))
    },
    TIMEOUT,
  )

  test(
    "a signal during the server's start-up (inside a migration) is passed on too",
    async () => {
      await using dir = await tmpdir()
      const release = join(dir.path, "release")
      const { launcher } = await launched(
        ["serve"],
        env(dir.path, { IMAGE_GENERATION_MCP_TEST_PAUSE: `migration:${release}` }),
        "test-pause: migration",
      )
      launcher.proc.kill("SIGTERM")
      await writeFile(release, "")
      expect(await launcher.exited).toBe(0)
      expect(launcher.stderr()).toContain("Stopped during start-up (SIGTERM)")
      expectStateIntact(join(dir.path, "state.sqlite"), join(dir.path, "images"), [0, MIGRATIONS.length])
    },
    TIMEOUT,
  )

  test(
    "exits with the server's exit code",
    async () => {
      await using dir = await tmpdir()
      const usage = spawnWatched([node as string, LAUNCHER, "serve", "--bogus"], env(dir.path))
      expect(await usage.exited).toBe(2)
      expect(usage.stderr()).toContain("unknown option '--bogus'")
    },
    TIMEOUT,
  )

  test(
    "a server killed by a signal ends the launcher by the same signal",
    async () => {
      await using dir = await tmpdir()
      const { launcher, server } = await launched(["serve"], env(dir.path))
      process.kill(server, "SIGKILL")
      await launcher.exited
      expect(launcher.proc.signalCode).toBe("SIGKILL")
    },
    TIMEOUT,
  )

  test(
    "killed outright (SIGKILL), it does not leave the stdio server behind, even while stdin stays open",
    async () => {
      await using dir = await tmpdir()
      // A FIFO opened for reading and writing: the server's stdin stays open whatever happens to the launcher.
      const fifo = join(dir.path, "stdin")
      expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0)
      const stdin = openSync(fifo, "r+")
      try {
        const { launcher, server } = await launched(["serve"], env(dir.path), "Starting", stdin)
        launcher.proc.kill("SIGKILL")
        await launcher.exited
        await until(() => processGone(server), "the server to exit after its launcher was killed")
        expect(launcher.stderr()).toContain("Shutting down (launcher gone)")
        expectStateIntact(join(dir.path, "state.sqlite"), join(dir.path, "images"))
      } finally {
        closeSync(stdin)
      }
    },
    TIMEOUT,
  )

  test(
    "killed outright (SIGKILL) in HTTP mode, the server goes and the port is free again",
    async () => {
      await using dir = await tmpdir()
      const port = freePort()
      const { launcher, server } = await launched(
        ["serve", "--transport", "http", "--port", String(port)],
        env(dir.path),
      )
      await until(() => healthy(port), "/healthz")
      launcher.proc.kill("SIGKILL")
      await launcher.exited
      await until(() => processGone(server), "the server to exit after its launcher was killed")
      await until(() => portFree(port), `port ${port} to be free`)
      expect(launcher.stderr()).toContain("Shutting down (launcher gone)")
      expectStateIntact(join(dir.path, "state.sqlite"), join(dir.path, "images"))
    },
    TIMEOUT,
  )
})
