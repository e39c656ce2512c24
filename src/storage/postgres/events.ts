import type { SQL } from "bun"
import type { EventRows, LoggedEvent } from "../event-log"

/** The `http_events` rows in PostgreSQL: a batch is one transaction whose statements Bun pipelines. */
export function postgresEventRows(sql: SQL): EventRows {
  return {
    async apply(writes, expireBefore) {
      if (writes.length === 0 && expireBefore === undefined) return
      await sql.begin(async (tx) => {
        const inserts = writes.flatMap((w) =>
          w.kind === "insert"
            ? [
                {
                  session_id: w.session,
                  stream_id: w.stream,
                  event_id: w.seq,
                  created_epoch: w.atS,
                  message: w.message,
                },
              ]
            : [],
        )
        // Inserts first: every eviction names events decided before it, and later events have larger ids.
        const steps = inserts.length ? [tx`INSERT INTO http_events ${tx(inserts)}`] : []
        for (const w of writes) {
          if (w.kind === "through") {
            steps.push(tx`DELETE FROM http_events WHERE session_id = ${w.session} AND event_id <= ${w.seq}`)
          } else if (w.kind === "single") {
            steps.push(tx`DELETE FROM http_events
              WHERE session_id = ${w.session} AND stream_id = ${w.stream} AND event_id = ${w.seq}`)
          }
        }
        if (expireBefore !== undefined) steps.push(tx`DELETE FROM http_events WHERE created_epoch < ${expireBefore}`)
        return steps
      })
    },
    async select(session, stream, seq, sinceS) {
      const rows = await sql<LoggedEvent[]>`SELECT event_id::float8 AS seq, message FROM http_events
        WHERE session_id = ${session} AND stream_id = ${stream} AND event_id > ${seq} AND created_epoch >= ${sinceS}
        ORDER BY event_id`
      return rows.map((e) => ({ seq: e.seq, message: e.message }))
    },
    async deleteSession(session) {
      await sql`DELETE FROM http_events WHERE session_id = ${session}`
    },
  }
}
