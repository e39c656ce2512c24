import { describe, expect, test } from "bun:test"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { ConfigError, loadConfig } from "@/config/config"
import { sessionEventStore } from "@/http/event-store"
import { openStorage, type TransferRecord } from "@/storage"
import { tmpdir } from "../fixture/tmpdir"
import { openTestStorage } from "../helpers/storage"

const record = (tokenHash: string): TransferRecord => ({
  tokenHash,
  kind: "upload",
  sinkHandle: "upload",
  status: "available",
  expiresAt: 2e9,
  leaseExpiresAt: null,
  fence: 0,
  createdAt: 1e9,
})
const fileUrl = (path: string) => pathToFileURL(path).href

describe("the main database", () => {
  test("unset DATABASE_URL and BLOB_STORE_URL: SQLite at DB_PATH and files in the scratch dir", async () => {
    await using dir = await tmpdir()
    await using storage = await openTestStorage(dir.path)
    expect(storage.drivers).toEqual({ database: "sqlite", blobs: "files" })
    expect(storage.where).toEqual({
      database: join(dir.path, "state.sqlite"),
      blobs: join(dir.path, "images"),
      kv: "main database",
      events: "main database",
    })
    await storage.ping()
    await storage.blobs.write("a.json", "{}")
    expect(existsSync(join(dir.path, "images", "a.json"))).toBe(true)
  })

  test("a file that is not a database is a start-up error naming the file and the setting", async () => {
    await using dir = await tmpdir()
    const path = join(dir.path, "state.sqlite")
    await Bun.write(path, "this is not a database at all, just text ".repeat(200))
    const error = await openTestStorage(dir.path).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toStartWith(`Cannot open the database at ${path} (IMAGE_GENERATION_MCP_DB_PATH): `)
  })

  test.each([
    ["DATABASE_URL", "mysql://db/x", "expected postgres://user:password@host:5432/database"],
    ["DATABASE_URL", "postgres://user:hunter22@", "expected postgres://"],
    ["BLOB_STORE_URL", "https://bucket.example/images", "expected s3://bucket or s3://bucket/prefix"],
    ["BLOB_STORE_URL", "s3://key:secret@bucket", "expected s3://bucket"],
  ])("%s=%s is refused at start-up without echoing the value", (name, value, expected) => {
    const error = (() => {
      try {
        loadConfig({ [`IMAGE_GENERATION_MCP_${name}`]: value })
      } catch (e) {
        return e as Error
      }
    })()
    expect(error).toBeInstanceOf(ConfigError)
    expect(error?.message).toContain(expected)
    expect(error?.message).not.toContain(value)
  })
})

describe("KV_STORE_URL (transfer tokens and OAuth state)", () => {
  test("unset: the main database holds them", async () => {
    await using dir = await tmpdir()
    await using storage = await openTestStorage(dir.path)
    await storage.store.transfers.insert(record("a"))
    await storage.close()
    await using again = await openTestStorage(dir.path)
    expect(await again.store.transfers.get("a")).toMatchObject({ status: "available" })
  })

  test("memory:// keeps them in this process only", async () => {
    await using dir = await tmpdir()
    const env = { IMAGE_GENERATION_MCP_KV_STORE_URL: "memory://" }
    await using storage = await openTestStorage(dir.path, env)
    expect(storage.where.kv).toBe("memory")
    await storage.store.transfers.insert(record("m"))
    expect((await storage.store.transfers.claim("m", "upload", 1e9, 1e9 + 60)).outcome).toBe("claimed")
    await using main = await openTestStorage(dir.path)
    expect(await main.store.transfers.get("m")).toBeUndefined()
  })

  test("file:/// names a SQLite file; a directory gets transfer-tokens.sqlite and oauth.sqlite inside", async () => {
    await using dir = await tmpdir()
    const file = join(dir.path, "kv.sqlite")
    await using named = await openTestStorage(dir.path, { IMAGE_GENERATION_MCP_KV_STORE_URL: fileUrl(file) })
    expect(named.where.kv).toBe(file)
    await named.store.transfers.insert(record("f"))
    await named.oauth.addClient({
      clientId: "c",
      authMethod: "none",
      redirectUris: ["https://client.example/cb"],
      grantTypes: ["authorization_code"],
      metadata: {},
      createdAt: 1,
    })
    await named.close()
    await using again = await openTestStorage(dir.path, { IMAGE_GENERATION_MCP_KV_STORE_URL: fileUrl(file) })
    expect(await again.store.transfers.get("f")).toBeDefined()
    expect((await again.oauth.getClient("c"))?.redirectUris).toEqual(["https://client.example/cb"])

    await using inDir = await openTestStorage(dir.path, { IMAGE_GENERATION_MCP_KV_STORE_URL: fileUrl(dir.path) })
    expect(inDir.where.kv).toBe(join(dir.path, "transfer-tokens.sqlite"))
    expect(existsSync(join(dir.path, "transfer-tokens.sqlite"))).toBe(true)
    expect(existsSync(join(dir.path, "oauth.sqlite"))).toBe(true)
  })
})

describe("EVENT_STORE_URL (HTTP events), else KV_STORE_URL", () => {
  test("memory://, file:///path, a directory, and the main database", async () => {
    await using dir = await tmpdir()
    const file = join(dir.path, "events.sqlite")
    const where = async (env: Record<string, string>) => {
      await using storage = await openTestStorage(dir.path, env)
      return storage.where.events
    }
    expect(await where({ IMAGE_GENERATION_MCP_EVENT_STORE_URL: "memory://" })).toBe("memory")
    expect(await where({})).toBe("main database")
    expect(await where({ IMAGE_GENERATION_MCP_KV_STORE_URL: fileUrl(file) })).toBe(file)
    const both = { IMAGE_GENERATION_MCP_EVENT_STORE_URL: "memory://", IMAGE_GENERATION_MCP_KV_STORE_URL: fileUrl(file) }
    expect(await where(both)).toBe("memory")
    const inDir = { IMAGE_GENERATION_MCP_EVENT_STORE_URL: fileUrl(dir.path) }
    expect(await where(inDir)).toBe(join(dir.path, "http-events.sqlite"))
  })

  test("a separate file keeps events across restarts", async () => {
    await using dir = await tmpdir()
    const env = { IMAGE_GENERATION_MCP_KV_STORE_URL: fileUrl(join(dir.path, "events.sqlite")) }
    const first = await openTestStorage(dir.path, env)
    const store = sessionEventStore(first.events, "session-1")
    const cursor = await store.storeEvent("_GET_stream", { jsonrpc: "2.0", method: "notifications/x" })
    await store.storeEvent("_GET_stream", { jsonrpc: "2.0", method: "notifications/y" })
    await first.close()
    await using second = await openTestStorage(dir.path, env)
    const seen: string[] = []
    const stream = await sessionEventStore(second.events, "session-1").replayEventsAfter(cursor, {
      send: async (_id, message) => {
        seen.push("method" in message ? message.method : "")
      },
    })
    expect(stream).toBe("_GET_stream")
    expect(seen).toEqual(["notifications/y"])
  })

  test("a path that cannot hold a database: a clear start-up error naming the setting; nothing stays open", async () => {
    await using dir = await tmpdir()
    const blocker = join(dir.path, "file")
    await Bun.write(blocker, "x")
    const blocked = fileUrl(join(blocker, "inside", "events.sqlite"))
    const settings = { dbPath: join(dir.path, "state.sqlite"), scratchDir: dir.path, eventStoreUrl: blocked }
    const error = await openStorage(settings).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as Error).message).toMatch(
      /Cannot open the HTTP event store at .*IMAGE_GENERATION_MCP_EVENT_STORE_URL/,
    )
    // The main database was closed again: its WAL file is gone.
    expect(existsSync(join(dir.path, "state.sqlite-wal"))).toBe(false)
  })
})
