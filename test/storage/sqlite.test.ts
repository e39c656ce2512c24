import { expect, test } from "bun:test"
import { join } from "node:path"
import { createStoredEventLog } from "@/storage/event-log"
import { openDatabase } from "@/storage/sqlite/db"
import { sqliteEventRows } from "@/storage/sqlite/events"
import { tmpdir } from "../fixture/tmpdir"
import { storageContract } from "./contract"

async function freshDir(extra: { kvStoreUrl?: string; eventStoreUrl?: string } = {}) {
  const dir = await tmpdir()
  return {
    settings: { dbPath: join(dir.path, "state.sqlite"), scratchDir: join(dir.path, "images"), ...extra },
    [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose](),
  }
}

storageContract({ name: "SQLite", fresh: () => freshDir() })

storageContract({
  name: "SQLite with transfer tokens, OAuth state and events in memory",
  privateKv: true,
  fresh: () => freshDir({ kvStoreUrl: "memory://", eventStoreUrl: "memory://" }),
})

test("a batch that cannot be written is reported and dropped, not thrown at the caller", async () => {
  const db = openDatabase(":memory:")
  const errors: unknown[] = []
  const log = createStoredEventLog(sqliteEventRows(db), { onError: (error) => errors.push(error) })
  await log.append("s", "x", "{}")
  db.close()
  await log.close()
  expect(errors).toHaveLength(1)
})

test("a mark writes no row: only events with a message reach the database", async () => {
  const db = openDatabase(":memory:")
  const log = createStoredEventLog(sqliteEventRows(db))
  const primed = await log.mark("s", "x")
  const answer = await log.append("s", "x", '{"n":1}')
  expect(await log.after("s", "x", primed)).toEqual([{ seq: answer, message: '{"n":1}' }])
  const rows = db.query("SELECT session_id, stream_id, event_id, message FROM http_events").all()
  expect(rows).toEqual([{ session_id: "s", stream_id: "x", event_id: answer, message: '{"n":1}' }])
  await log.close()
  db.close()
})
