import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { join } from "node:path"
import { SQL } from "bun"
import { POSTGRES_MIGRATIONS } from "@/assets"
import { ConfigError } from "@/config/config"
import { openStorage } from "@/storage"
import { createFakeProvider } from "../fixture/fake-provider"
import { tmpdir } from "../fixture/tmpdir"
import { runCli } from "../helpers/cli"
import { connect } from "../helpers/mcp"
import { type PostgresServer, postgresSkipReason, startPostgres } from "../helpers/postgres"
import { startServices } from "../helpers/services"
import { waitForValue } from "../helpers/wait"

const OPENER = join(import.meta.dir, "..", "fixture", "open-storage.ts")
const settings = (databaseUrl: string) => ({ dbPath: "", scratchDir: "", databaseUrl })

describe.skipIf(postgresSkipReason !== undefined)("PostgreSQL operations", () => {
  let server: PostgresServer
  beforeAll(async () => {
    server = await startPostgres()
  })
  afterAll(async () => {
    await server?.[Symbol.asyncDispose]()
  })

  test("several servers starting together on a new database apply each migration exactly once", async () => {
    for (let round = 0; round < 2; round++) {
      const url = await server.createDatabase()
      const procs = Array.from({ length: 4 }, () => Bun.spawn([process.execPath, OPENER, url], { stderr: "pipe" }))
      const codes = await Promise.all(procs.map((p) => p.exited))
      const errors = await Promise.all(procs.map((p) => new Response(p.stderr).text()))
      expect({ codes, errors: errors.filter(Boolean) }).toEqual({ codes: [0, 0, 0, 0], errors: [] })
      const sql = new SQL(url, { max: 1 })
      const versions = await sql`SELECT version FROM schema_version`
      await sql.close()
      expect([...versions]).toEqual([{ version: POSTGRES_MIGRATIONS.length }])
    }
  })

  test("a schema newer than this program is refused with a clear message", async () => {
    const url = await server.createDatabase()
    await (await openStorage(settings(url))).close()
    const sql = new SQL(url, { max: 1 })
    await sql`UPDATE schema_version SET version = ${POSTGRES_MIGRATIONS.length + 3}`
    await sql.close()
    const error = await openStorage(settings(url)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toContain("is newer than this program knows")
  })

  test("an unreachable server is a start-up error that names the setting and never the password", async () => {
    const url = `postgres://imagegen:hunter2-secret@127.0.0.1:${server.port + 1}/nothing`
    const error = await openStorage(settings(url)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    const message = (error as Error).message
    expect(message).toBe(
      `Cannot open the database at postgres://127.0.0.1:${server.port + 1}/nothing (IMAGE_GENERATION_MCP_DATABASE_URL): The database is not reachable right now; try again shortly.`,
    )
    expect(message).not.toContain("hunter2")
  })

  test("a restart while the server runs: calls fail clearly meanwhile, nothing is half-written, then they work again", async () => {
    const url = await server.createDatabase()
    await using env = await connect({ env: { IMAGE_GENERATION_MCP_DATABASE_URL: url } })
    const first = JSON.parse(env.text(await env.call("generate_image", { prompt: "before", provider: "placeholder" })))
    await env.services.jobs.idle()
    await server.stop()
    try {
      const failed = await env.call("search_images", { query: "before" })
      expect(failed.isError).toBe(true)
      expect(env.text(failed)).toBe("[server] The database is not reachable right now; try again shortly.")
      const during = await env.call("generate_image", { prompt: "during", provider: "placeholder" })
      expect(during.isError).toBe(true)
      expect(env.text(during)).toContain("The database is not reachable right now")
      await expect(env.services.storage.ping()).rejects.toMatchObject({ kind: "unavailable" })
    } finally {
      await server.start()
    }
    const found = await waitForValue(async () => {
      const result = await env.call("search_images", { query: "before" })
      return result.isError ? undefined : JSON.parse(env.text(result))
    }, "searches to work again after the restart")
    expect(found.items.map((i: { image_id: string }) => i.image_id)).toEqual([first.image_id])
    const after = JSON.parse(env.text(await env.call("generate_image", { prompt: "after", provider: "placeholder" })))
    await env.services.jobs.idle()
    expect((await env.services.store.jobs.get(after.image_id))?.status).toBe("completed")
    expect(await env.services.images.count()).toBe(2)
  })

  test("doctor reports the driver and checks the database without creating anything", async () => {
    await using dir = await tmpdir()
    const url = await server.createDatabase()
    const env = { HOME: dir.path, IMAGE_GENERATION_MCP_DATABASE_URL: url }
    const where = `PostgreSQL 127.0.0.1:${server.port}/${new URL(url).pathname.slice(1)}`
    const empty = await runCli(["doctor"], env)
    expect(empty.stdout).toMatch(new RegExp(`ok +database +${where} \\(reachable; tables created on first start\\)`))
    await (await openStorage(settings(url))).close()
    const migrated = await runCli(["doctor"], env)
    expect(migrated.stdout).toMatch(
      new RegExp(`ok +database +${where} \\(schema ${POSTGRES_MIGRATIONS.length}, 0 images\\)`),
    )
    expect(migrated.stdout).toContain(`database                 ${url.replace("postgres@", "***@")}`)

    const wrong = `postgres://imagegen:hunter2-secret@127.0.0.1:${server.port + 1}/nothing`
    const down = await runCli(["doctor"], { ...env, IMAGE_GENERATION_MCP_DATABASE_URL: wrong })
    expect(down.code).toBe(1)
    expect(down.stdout).toMatch(/FAIL +database +PostgreSQL 127\.0\.0\.1:\d+\/nothing: The database is not reachable/)
    expect(down.stdout).toContain("fix: Check IMAGE_GENERATION_MCP_DATABASE_URL")
    expect(down.stdout + down.stderr).not.toContain("hunter2")
  })

  test("two servers on one database: a shared gallery, and a cancel on one reaches the job running on the other", async () => {
    const url = await server.createDatabase()
    const aborted = Promise.withResolvers<void>()
    const watched = createFakeProvider({
      name: "watched",
      generate: (_request, signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener("abort", () => {
            aborted.resolve()
            reject(signal.reason)
          }),
        ),
    })
    const env = { IMAGE_GENERATION_MCP_DATABASE_URL: url, IMAGE_GENERATION_MCP_JOB_LEASE_S: "1" }
    await using dir = await tmpdir()
    await using a = await startServices({ dir, env, deps: { extraProviders: [watched] } })
    await using b = await startServices({ dir, env })
    const made = await a.services.generation.start(await a.services.generation.prepare({ prompt: "shared owl" }))
    await a.services.jobs.idle()
    expect((await b.services.images.list()).map((r) => r.id)).toEqual([made.image_id])
    const { image_id } = await a.services.generation.start(
      await a.services.generation.prepare({ prompt: "x", provider: "watched" }),
    )
    expect((await b.services.jobs.get(image_id))?.status).toBe("generating")
    expect(await b.services.jobs.cancel(image_id)).toEqual({ outcome: "cancelled" })
    await aborted.promise
    await a.services.jobs.idle()
    expect(await a.services.jobs.get(image_id)).toMatchObject({ status: "cancelled" })
    expect(await b.services.images.count()).toBe(1)
  })
})
