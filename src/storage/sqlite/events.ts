import type { Database } from "bun:sqlite"
import type { EventRows, EventWrite, LoggedEvent } from "../event-log"

/** The `http_events` rows (migration 0005) of a SQLite database; `owned` closes the database with them. */
export function sqliteEventRows(db: Database, owned = false): EventRows {
  const insert = db.query<never, [string, string, number, number, string]>(
    "INSERT INTO http_events (session_id, stream_id, event_id, created_epoch, message) VALUES (?, ?, ?, ?, ?)",
  )
  const deleteThrough = db.query<never, [string, number]>(
    "DELETE FROM http_events WHERE session_id = ? AND event_id <= ?",
  )
  const deleteOne = db.query<never, [string, string, number]>(
    "DELETE FROM http_events WHERE session_id = ? AND stream_id = ? AND event_id = ?",
  )
  const select = db.query<LoggedEvent, [string, string, number, number]>(
    `SELECT event_id AS seq, message FROM http_events
     WHERE session_id = ? AND stream_id = ? AND event_id > ? AND created_epoch >= ? ORDER BY event_id`,
  )
  const deleteSession = db.query<never, [string]>("DELETE FROM http_events WHERE session_id = ?")
  const expire = db.query<never, [number]>("DELETE FROM http_events WHERE created_epoch < ?")
  const apply = db.transaction((writes: EventWrite[], expireBefore?: number) => {
    for (const w of writes) {
      if (w.kind === "insert") insert.run(w.session, w.stream, w.seq, w.atS, w.message)
      else if (w.kind === "through") deleteThrough.run(w.session, w.seq)
      else deleteOne.run(w.session, w.stream, w.seq)
    }
    if (expireBefore !== undefined) expire.run(expireBefore)
  })
  return {
    async apply(writes, expireBefore) {
      apply.immediate(writes, expireBefore)
    },
    async select(session, stream, seq, sinceS) {
      return select.all(session, stream, seq, sinceS)
    },
    async deleteSession(session) {
      deleteSession.run(session)
    },
    async close() {
      if (owned) db.close()
    },
  }
}
