// What the storage benchmark's `--breakdown` counts on the wire: a TCP relay in front of PostgreSQL that reads the
// protocol's message framing (https://www.postgresql.org/docs/current/protocol-message-formats.html) without
// changing a byte, and a log of the requests s3rver answered.
//   - statements: Execute ('E') and simple Query ('Q') messages;
//   - exchanges: Sync ('S') and Query messages, each answered by one ReadyForQuery ('Z');
//   - waits: the times a connection went from nothing outstanding to waiting for PostgreSQL, and how long it waited
//     (pipelined exchanges share one wait);
//   - transactions: ReadyForQuery going from "in a transaction" back to idle.
import { connect, createServer, type Server } from "node:net"

export interface WireCounts {
  statements: number
  exchanges: number
  waits: number
  waitMs: number
  transactions: number
  /** Statements by their text's start (whitespace folded), as executed. */
  texts: Map<string, number>
}

const SSL_REQUEST = 80877103
const GSS_REQUEST = 80877104

export const emptyCounts = (): WireCounts => ({
  statements: 0,
  exchanges: 0,
  waits: 0,
  waitMs: 0,
  transactions: 0,
  texts: new Map(),
})

/** A copy of `counts` whose `texts` will not change. */
export const snapshot = (counts: WireCounts): WireCounts => ({ ...counts, texts: new Map(counts.texts) })

export function diffCounts(after: WireCounts, before: WireCounts): WireCounts {
  return {
    statements: after.statements - before.statements,
    exchanges: after.exchanges - before.exchanges,
    waits: after.waits - before.waits,
    waitMs: after.waitMs - before.waitMs,
    transactions: after.transactions - before.transactions,
    texts: new Map(
      [...after.texts].map(([text, n]) => [text, n - (before.texts.get(text) ?? 0)]).filter(([, n]) => n !== 0) as [
        string,
        number,
      ][],
    ),
  }
}

/** Splits a byte stream into protocol messages: `untyped` ones (start-up) have no type byte. */
class Framer {
  private pending: Buffer = Buffer.alloc(0)
  untyped: number
  /** Bytes to pass through unparsed (the one-byte answer to an SSL or GSS request). */
  skip = 0

  constructor(untyped: number) {
    this.untyped = untyped
  }

  feed(chunk: Buffer, onMessage: (type: string, body: Buffer) => void): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk
    for (;;) {
      if (this.skip > 0 && this.pending.length > 0) {
        const n = Math.min(this.skip, this.pending.length)
        this.skip -= n
        this.pending = this.pending.subarray(n)
        continue
      }
      const head = this.untyped > 0 ? 0 : 1
      if (this.pending.length < head + 4) return
      const length = this.pending.readInt32BE(head)
      if (this.pending.length < head + length) return
      const type = head ? String.fromCharCode(this.pending[0] as number) : ""
      if (!head) this.untyped--
      onMessage(type, this.pending.subarray(head + 4, head + length))
      this.pending = this.pending.subarray(head + length)
    }
  }
}

/** A relay on a free loopback port to PostgreSQL at `target`; `counts` is live. */
export async function countingRelay(target: { host: string; port: number }) {
  const counts = emptyCounts()
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host)
    const fromClient = new Framer(1)
    const fromServer = new Framer(0)
    let outstanding = 0
    let waitStarted = 0
    let inTransaction = false
    const prepared = new Map<string, string>()
    let bound = ""
    const cString = (body: Buffer, from: number) => {
      const end = body.indexOf(0, from)
      return { text: body.toString("utf8", from, end), next: end + 1 }
    }
    const executed = (text: string) => {
      const key = text.replace(/\s+/g, " ").trim().slice(0, 70)
      counts.texts.set(key, (counts.texts.get(key) ?? 0) + 1)
    }
    client.on("data", (chunk: Buffer) => {
      fromClient.feed(chunk, (type, body) => {
        if (type === "") {
          const code = body.length >= 4 ? body.readInt32BE(0) : 0
          if (code === SSL_REQUEST || code === GSS_REQUEST) {
            fromClient.untyped++
            fromServer.skip++
          }
          return
        }
        if (type === "P") {
          const name = cString(body, 0)
          prepared.set(name.text, cString(body, name.next).text)
        }
        if (type === "B") bound = prepared.get(cString(body, cString(body, 0).next).text) ?? "?"
        if (type === "E") executed(bound)
        if (type === "Q") executed(cString(body, 0).text)
        if (type === "E" || type === "Q") counts.statements++
        if (type === "S" || type === "Q") {
          counts.exchanges++
          if (outstanding++ === 0) {
            counts.waits++
            waitStarted = performance.now()
          }
        }
      })
      upstream.write(chunk)
    })
    upstream.on("data", (chunk: Buffer) => {
      fromServer.feed(chunk, (type, body) => {
        if (type !== "Z") return
        const status = String.fromCharCode(body[0] as number)
        if (inTransaction && status === "I") counts.transactions++
        inTransaction = status !== "I"
        if (outstanding > 0 && --outstanding === 0) counts.waitMs += performance.now() - waitStarted
      })
      client.write(chunk)
    })
    const end = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on("error", end).on("close", end)
    upstream.on("error", end).on("close", end)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  const port = typeof address === "object" && address ? address.port : 0
  return {
    port,
    counts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
