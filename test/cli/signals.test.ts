// SIGTERM and SIGINT at chosen moments of the real CLI's life: while its modules load, inside a migration, in the
// middle of the first-start scratch import, before the handshake, during provider discovery, during a generation,
// and in HTTP mode. Start-up phases are reached through the test-only IMAGE_GENERATION_MCP_TEST_PAUSE seam
// (src/util/test-pause.ts); everything else waits for a state (a log line, a held request), never for a time.
import { Database } from "bun:sqlite"
import { describe, expect, test } from "bun:test"
import { existsSync, readdirSync } from "node:fs"
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { MIGRATIONS } from "@/assets"
import { fakeSdWebui } from "../fixture/fake-sd-webui"
import { heldProxy } from "../fixture/held-proxy"
import { writePythonImage } from "../fixture/python-scratch"
import { tmpdir } from "../fixture/tmpdir"
import { CLI } from "../helpers/cli"
import {
  expectStateIntact,
  freePort,
  handshake,
  healthy,
  portFree,
  queryOne,
  spawnWatched,
  until,
} from "../helpers/processes"

const SIGNALS = ["SIGTERM", "SIGINT"] as const
const LATEST = MIGRATIONS.length
const TIMEOUT = 60_000

interface Home {
  path: string
  db: string
  scratch: string
  env: Record<string, string>
}

function home(path: string, extra: Record<string, string> = {}): Home {
  const db = join(path, "state.sqlite")
  const scratch = join(path, "images")
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: path,
    IMAGE_GENERATION_MCP_DB_PATH: db,
    IMAGE_GENERATION_MCP_SCRATCH_DIR: scratch,
    IMAGE_GENERATION_MCP_READ_ONLY: "false",
    ...extra,
  }
  return { path, db, scratch, env }
}

/** Starts `serve` paused at `phase`; resolves once it announced the pause. `release()` lets it go on. */
async function pausedAt(phase: string, h: Home, args = ["serve"]) {
  const release = join(h.path, `release-${phase}`)
  const server = spawnWatched([process.execPath, CLI, ...args], {
    ...h.env,
    IMAGE_GENERATION_MCP_TEST_PAUSE: `${phase}:${release}`,
  })
  await server.waitForStderr(`test-pause: ${phase}`)
  return { server, release: () => writeFile(release, "") }
}

const sidecarIds = (n: number) => Array.from({ length: n }, (_, i) => `a${String(i).padStart(11, "0")}`)

async function writeScratchDir(dir: string, count: number): Promise<void> {
  await mkdir(dir, { recursive: true })
  for (const id of sidecarIds(count)) await writePythonImage(dir, id, {})
}

const imageCount = (db: string) => queryOne<{ n: number }>(db, "SELECT count(*) AS n FROM images")?.n ?? 0
const metaValue = (db: string, key: string) =>
  queryOne<{ value: string }>(db, `SELECT value FROM meta WHERE key = '${key}'`)?.value

describe.each(SIGNALS)("serve stops cleanly on %s", (signal) => {
  test(
    "while its modules load: nothing is opened, exit 0",
    async () => {
      await using dir = await tmpdir()
      const h = home(dir.path)
      const { server, release } = await pausedAt("entry", h)
      server.proc.kill(signal)
      await release()
      expect(await server.exited).toBe(0)
      expect(server.stderr()).toContain(`Stopped during start-up (${signal})`)
      expect(existsSync(h.db)).toBe(false)
    },
    TIMEOUT,
  )

  test(
    "inside a migration of an existing database: the schema is old or new, never partial",
    async () => {
      await using dir = await tmpdir()
      const h = home(dir.path)
      const old = new Database(h.db, { create: true })
      for (const [version, sql] of MIGRATIONS.slice(0, 2).entries()) {
        old.run(sql)
        old.run(`PRAGMA user_version = ${version + 1}`)
      }
      old.run("INSERT INTO meta (key, value) VALUES ('probe', 'kept')")
      old.close()
      const { server, release } = await pausedAt("migration", h)
      server.proc.kill(signal)
      await release()
      expect(await server.exited).toBe(0)
      expect(server.stderr()).toContain(`Stopped during start-up (${signal})`)
      expect(server.stderr()).not.toContain("Starting")
      expectStateIntact(h.db, h.scratch, [2, LATEST])
      expect(metaValue(h.db, "probe")).toBe("kept")
    },
    TIMEOUT,
  )

  test("during the first-start import of a scratch dir: what was stored stays, the next start finishes it", async () => {
    await using dir = await tmpdir()
    const h = home(dir.path)
    const total = 700
    await writeScratchDir(h.scratch, total)
    const { server, release } = await pausedAt("scratch-import", h)
    server.proc.kill(signal)
    await release()
    expect(await server.exited).toBe(0)
    expectStateIntact(h.db, h.scratch)
    const stored = imageCount(h.db)
    expect(stored).toBeGreaterThanOrEqual(500)
    expect(stored).toBeLessThan(total)
    const marker = `scratch_import:${h.scratch}`
    expect(metaValue(h.db, marker)).toBe("in_progress")

    const again = spawnWatched([process.execPath, CLI, "serve"], h.env)
    await again.waitForStderr("Starting")
    again.proc.stdin.end()
    expect(await again.exited).toBe(0)
    expect(imageCount(h.db)).toBe(total)
    expect(metaValue(h.db, marker)).toBe("done")
  }, 90_000)

  test(
    "after start-up, before the handshake",
    async () => {
      await using dir = await tmpdir()
      const h = home(dir.path)
      const server = spawnWatched([process.execPath, CLI, "serve"], h.env)
      await server.waitForStderr("Starting")
      server.proc.kill(signal)
      expect(await server.exited).toBe(0)
      expect(server.stderr()).toContain(`Shutting down (${signal})`)
      expectStateIntact(h.db, h.scratch)
    },
    TIMEOUT,
  )

  test(
    "while a provider's discovery hangs (it starts on its own shortly after start-up)",
    async () => {
      await using dir = await tmpdir()
      await using sd = fakeSdWebui()
      await using proxy = heldProxy(sd.url, ["/sdapi/v1/sd-models"])
      const h = home(dir.path, { IMAGE_GENERATION_MCP_SD_WEBUI_HOST: proxy.url })
      const server = spawnWatched([process.execPath, CLI, "serve"], h.env)
      await until(() => proxy.held.length > 0, "discovery to reach the held SD WebUI")
      server.proc.kill(signal)
      expect(await server.exited).toBe(0)
      expectStateIntact(h.db, h.scratch)
    },
    TIMEOUT,
  )

  test(
    "during a generation that finishes within the grace: the image is stored with its files",
    async () => {
      await using dir = await tmpdir()
      await using generating = await generationInFlight(dir.path)
      const { server, proxy, h, imageId } = generating
      server.proc.kill(signal)
      await server.waitForStderr(`Shutting down (${signal})`)
      proxy.release()
      expect(await server.exited).toBe(0)
      expectStateIntact(h.db, h.scratch)
      const job = queryOne<{ status: string }>(h.db, `SELECT status FROM jobs WHERE job_id = '${imageId}'`)
      expect(job?.status).toBe("completed")
      expect(imageCount(h.db)).toBe(1)
    },
    TIMEOUT,
  )

  test(
    "during a generation that outlives the grace: recorded as interrupted, no image",
    async () => {
      await using dir = await tmpdir()
      await using generating = await generationInFlight(dir.path)
      const { server, h, imageId } = generating
      server.proc.kill(signal)
      expect(await server.exited).toBe(0)
      expectStateIntact(h.db, h.scratch)
      const job = queryOne<{ status: string; error: string }>(
        h.db,
        `SELECT status, error FROM jobs WHERE job_id = '${imageId}'`,
      )
      expect(job).toEqual({ status: "failed", error: "interrupted by a server shutdown" })
      expect(imageCount(h.db)).toBe(0)
      expect(existsSync(h.scratch) ? readdirSync(h.scratch) : []).toEqual([])
    },
    TIMEOUT,
  )

  test(
    "in HTTP mode inside a migration: it never listens",
    async () => {
      await using dir = await tmpdir()
      const h = home(dir.path)
      const port = freePort()
      const { server, release } = await pausedAt("migration", h, httpArgs(port))
      server.proc.kill(signal)
      await release()
      expect(await server.exited).toBe(0)
      expect(server.stderr()).not.toContain("Starting")
      expectStateIntact(h.db, h.scratch, [0, LATEST])
      expect(portFree(port)).toBe(true)
    },
    TIMEOUT,
  )

  test(
    "in HTTP mode while serving: the port is free again",
    async () => {
      await using dir = await tmpdir()
      const h = home(dir.path)
      const port = freePort()
      const server = spawnWatched([process.execPath, CLI, ...httpArgs(port)], h.env)
      await until(() => healthy(port), "/healthz to answer")
      server.proc.kill(signal)
      expect(await server.exited).toBe(0)
      expect(server.stderr()).toContain(`Shutting down (${signal})`)
      expect(portFree(port)).toBe(true)
      expectStateIntact(h.db, h.scratch)
    },
    TIMEOUT,
  )
})

describe.each(SIGNALS)("one-shot commands stop cleanly on %s", (signal) => {
  const status = signal === "SIGINT" ? 130 : 143

  test("import stops between two images with 128 + the signal; running it again finishes", async () => {
    await using dir = await tmpdir()
    const h = home(dir.path)
    const source = join(dir.path, "elsewhere")
    const total = 700
    await writeScratchDir(source, total)
    const { server, release } = await pausedAt("scratch-import", h, ["import", source])
    server.proc.kill(signal)
    await release()
    expect(await server.exited).toBe(status)
    expect(server.stdout()).toContain(`Stopped (${signal}) after importing`)
    expectStateIntact(h.db, h.scratch)
    expect(imageCount(h.db)).toBeLessThan(total)

    const again = spawnWatched([process.execPath, CLI, "import", source], h.env)
    expect(await again.exited).toBe(0)
    expect(imageCount(h.db)).toBe(total)
    expectStateIntact(h.db, h.scratch)
  }, 90_000)

  test(
    "doctor stops while a provider check hangs, with 128 + the signal and no probe file left",
    async () => {
      await using dir = await tmpdir()
      await using sd = fakeSdWebui()
      await using proxy = heldProxy(sd.url, ["/sdapi/v1/options"])
      const h = home(dir.path, { IMAGE_GENERATION_MCP_SD_WEBUI_HOST: proxy.url })
      const doctor = spawnWatched([process.execPath, CLI, "doctor"], h.env)
      await until(() => proxy.held.length > 0, "doctor to reach the held SD WebUI")
      doctor.proc.kill(signal)
      expect(await doctor.exited).toBe(status)
      expect(doctor.stdout()).toContain(`Stopped (${signal}) after 6 of 7 checks.`)
      expect(readdirSync(h.scratch).filter((n) => n.endsWith(".tmp"))).toEqual([])
    },
    TIMEOUT,
  )
})

/** A serve process in a session, generating through an SD WebUI whose txt2img answer is held. */
async function generationInFlight(path: string) {
  const sd = fakeSdWebui()
  const proxy = heldProxy(sd.url, ["/sdapi/v1/txt2img"])
  const h = home(path, { IMAGE_GENERATION_MCP_SD_WEBUI_HOST: proxy.url })
  const server = spawnWatched([process.execPath, CLI, "serve"], h.env)
  await handshake(server)
  const reply = (await server.request("tools/call", {
    name: "generate_image",
    arguments: { prompt: "a lighthouse", provider: "sd_webui" },
  })) as { result: { content: { text: string }[] } }
  const imageId = JSON.parse(reply.result.content[0]?.text ?? "{}").image_id as string
  expect(imageId).toBeString()
  await until(() => proxy.held.includes("/sdapi/v1/txt2img"), "the generation to reach SD WebUI")
  return {
    server,
    proxy,
    h,
    imageId,
    async [Symbol.asyncDispose]() {
      server.proc.kill("SIGKILL")
      await server.proc.exited
      await proxy[Symbol.asyncDispose]()
      await sd[Symbol.asyncDispose]()
    },
  }
}

const httpArgs = (port: number) => ["serve", "--transport", "http", "--port", String(port)]

describe("without a launcher", () => {
  test(
    "a launcher variable that names no pipe is ignored: the server keeps serving until stdin closes",
    async () => {
      await using dir = await tmpdir()
      const h = home(dir.path, { IMAGE_GENERATION_MCP_LAUNCHER_FD: "3" })
      const server = spawnWatched([process.execPath, CLI, "serve"], h.env)
      await handshake(server)
      server.proc.stdin.end()
      expect(await server.exited).toBe(0)
      expect(server.stderr()).toContain("Shutting down (stdin closed)")
    },
    TIMEOUT,
  )

  test(
    "SIGHUP keeps its inherited disposition (so nohup works): here the default, which ends the process",
    async () => {
      await using dir = await tmpdir()
      const server = spawnWatched([process.execPath, CLI, "serve"], home(dir.path).env)
      await server.waitForStderr("Starting")
      server.proc.kill("SIGHUP")
      expect(await server.exited).toBe(129)
    },
    TIMEOUT,
  )
})
