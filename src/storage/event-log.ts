/** One kept event: its sequence number (increasing within the log) and the message text. */
export interface LoggedEvent {
  seq: number
  message: string
}

/** How much an event log keeps. Every bound applies at once. */
export interface EventLogLimits {
  /** Newest events kept per stream. @default 100 */
  maxPerStream: number
  /** Seconds an event stays replayable. @default 3600 */
  ttlS: number
  /** Newest events kept per session across its streams (each request opens a stream). @default 1000 */
  maxPerSession: number
  /** Characters of message text kept per session; the newest event is always kept. @default 16 MiB */
  maxCharsPerSession: number
}

export interface EventLogOptions extends Partial<EventLogLimits> {
  /** Milliseconds clock. @default Date.now */
  now?: () => number
}

/**
 * Server-sent events kept for resumption (Last-Event-ID), scoped by session and stream. A session lives
 * in one process and all its events are appended there, so the bookkeeping (which events are kept) is in
 * memory either way; a database keeps only the message texts.
 */
export interface EventLog {
  /** Stores one event and returns its sequence number. */
  append(session: string, stream: string, message: string): Promise<number>
  /**
   * A position in the stream with nothing to replay (a stream's priming event): it takes a sequence number and
   * counts as an event of the stream (for `has` and the bounds), but no text is stored and `after` never returns it.
   */
  mark(session: string, stream: string): Promise<number>
  /** The stream's events after `seq`, oldest first, within the TTL. */
  after(session: string, stream: string, seq: number): Promise<LoggedEvent[]>
  /** Whether the stream still has an event within the TTL. */
  has(session: string, stream: string): Promise<boolean>
  /** Forgets a session's events (it ended). */
  dropSession(session: string): Promise<void>
  /** Writes what is buffered, then releases what the log holds. */
  close(): Promise<void>
}

export const DEFAULT_EVENT_LOG_LIMITS: Readonly<EventLogLimits> = Object.freeze({
  maxPerStream: 100,
  ttlS: 3600,
  maxPerSession: 1000,
  maxCharsPerSession: 16 * 1024 * 1024,
})

/** Pruning a session takes it this far under its bounds, so the deletes come in batches. */
const PRUNE_TO = 0.9

interface Entry {
  seq: number
  stream: string
  size: number
  /** Epoch milliseconds. */
  at: number
  /** False for a mark: nothing was stored for it. */
  replayable: boolean
  message?: string
}

interface Book {
  entries: Entry[]
  chars: number
  perStream: Map<string, number>
}

/** What one append pushed out: every event up to `through`, and single events of an over-full stream. */
interface Evicted {
  through?: number
  single: Entry[]
}

/** Which events each session keeps under the limits, oldest first. */
class Ledger {
  private readonly books = new Map<string, Book>()
  private readonly limits: EventLogLimits
  private readonly now: () => number
  private lastSeq = 0

  constructor(limits: EventLogLimits, now: () => number) {
    this.limits = limits
    this.now = now
  }

  /** A new event of `size` characters, or with `replayable` false a mark (size 0, nothing stored). */
  add(
    session: string,
    stream: string,
    size: number,
    replayable = true,
    message?: string,
  ): { entry: Entry; evicted: Evicted } {
    const book: Book = this.books.get(session) ?? { entries: [], chars: 0, perStream: new Map() }
    this.books.set(session, book)
    const evicted: Evicted = { single: [] }
    const expired = this.expire(book)
    if (expired !== undefined) evicted.through = expired
    // Microseconds: sortable, and strictly increasing within this process.
    this.lastSeq = Math.max(this.lastSeq + 1, this.now() * 1000)
    const entry: Entry = { seq: this.lastSeq, stream, size, at: this.now(), replayable, message }
    book.entries.push(entry)
    book.chars += size
    const inStream = (book.perStream.get(stream) ?? 0) + 1
    book.perStream.set(stream, inStream)
    if (inStream > this.limits.maxPerStream) {
      const index = book.entries.findIndex((e) => e.stream === stream)
      const [oldest] = book.entries.splice(index, 1)
      if (oldest) {
        this.forget(book, oldest)
        if (oldest.replayable) evicted.single.push(oldest)
      }
    }
    const { maxPerSession, maxCharsPerSession } = this.limits
    if (book.entries.length > maxPerSession || book.chars > maxCharsPerSession) {
      const keepCount = Math.max(1, Math.floor(maxPerSession * PRUNE_TO))
      const keepChars = Math.floor(maxCharsPerSession * PRUNE_TO)
      let cut = 0
      let chars = book.chars
      while (cut < book.entries.length - 1 && (book.entries.length - cut > keepCount || chars > keepChars)) {
        chars -= book.entries[cut]?.size ?? 0
        cut++
      }
      const gone = book.entries.splice(0, cut)
      for (const e of gone) this.forget(book, e)
      const last = gone.at(-1)
      if (last) evicted.through = last.seq
    }
    return { entry, evicted }
  }

  /** The stream's kept replayable entries after `seq`, within the TTL. */
  after(session: string, stream: string, seq: number): Entry[] {
    const book = this.books.get(session)
    if (!book) return []
    this.expire(book)
    return book.entries.filter((e) => e.stream === stream && e.seq > seq && e.replayable)
  }

  has(session: string, stream: string): boolean {
    const book = this.books.get(session)
    if (!book) return false
    this.expire(book)
    return (book.perStream.get(stream) ?? 0) > 0
  }

  drop(session: string): void {
    this.books.delete(session)
  }

  clear(): void {
    this.books.clear()
  }

  /** Drops entries past the TTL from the front; returns the last dropped seq. */
  private expire(book: Book): number | undefined {
    const cutoff = this.now() - this.limits.ttlS * 1000
    let stale = 0
    while (stale < book.entries.length && (book.entries[stale]?.at ?? 0) < cutoff) stale++
    if (stale === 0) return undefined
    const gone = book.entries.splice(0, stale)
    for (const e of gone) this.forget(book, e)
    return gone.at(-1)?.seq
  }

  private forget(book: Book, entry: Entry): void {
    book.chars -= entry.size
    const left = (book.perStream.get(entry.stream) ?? 1) - 1
    if (left > 0) book.perStream.set(entry.stream, left)
    else book.perStream.delete(entry.stream)
  }
}

/** The same bounds in process memory (`memory://`): events do not survive a restart. */
export function createMemoryEventLog(options: EventLogOptions = {}): EventLog {
  const ledger = new Ledger({ ...DEFAULT_EVENT_LOG_LIMITS, ...options }, options.now ?? Date.now)
  return {
    async append(session, stream, message) {
      return ledger.add(session, stream, message.length, true, message).entry.seq
    },
    async mark(session, stream) {
      return ledger.add(session, stream, 0, false).entry.seq
    },
    async after(session, stream, seq) {
      return ledger.after(session, stream, seq).map((e) => ({ seq: e.seq, message: e.message ?? "" }))
    },
    async has(session, stream) {
      return ledger.has(session, stream)
    },
    async dropSession(session) {
      ledger.drop(session)
    },
    async close() {
      ledger.clear()
    },
  }
}

const SWEEP_EVERY_MS = 60_000
/** Appends are written together, one transaction per batch: this often, or sooner when a batch grows large. */
const FLUSH_AFTER_MS = 20
const FLUSH_AT_ROWS = 1000
const FLUSH_AT_CHARS = 8 * 1024 * 1024

export interface StoredEventLogOptions extends EventLogOptions {
  /** A batch that could not be written (it is dropped: events only serve a live session's resumption). */
  onError?: (error: unknown) => void
}

/** One change to the stored events, in the order the log decided it. */
export type EventWrite =
  | { kind: "insert"; session: string; stream: string; seq: number; atS: number; message: string }
  /** Every event of the session up to `seq`. */
  | { kind: "through"; session: string; seq: number }
  | { kind: "single"; session: string; stream: string; seq: number }

/** The rows behind a stored event log (table `http_events`), as each database driver writes them. */
export interface EventRows {
  /** Applies the writes in one transaction; with `expireBefore` (epoch seconds) also deletes older events. */
  apply(writes: EventWrite[], expireBefore?: number): Promise<void>
  /** The stream's events after `seq` written at `sinceS` or later, oldest first. */
  select(session: string, stream: string, seq: number, sinceS: number): Promise<LoggedEvent[]>
  deleteSession(session: string): Promise<void>
  /** Releases a connection the rows own. */
  close?(): Promise<void>
}

/**
 * An event log whose message texts live in a database (`rows`); which events are kept is decided in memory.
 * Writes are buffered and applied in one transaction per batch (a few ms), one batch after the other, and every
 * read applies the buffer first. Rows of sessions that died with an earlier process expire with the TTL.
 */
export function createStoredEventLog(rows: EventRows, options: StoredEventLogOptions = {}): EventLog {
  const limits = { ...DEFAULT_EVENT_LOG_LIMITS, ...options }
  const now = options.now ?? Date.now
  const ledger = new Ledger(limits, now)
  let pending: EventWrite[] = []
  let pendingChars = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let lastSweep = now()
  let closed = false
  /** Every database step runs after the previous one, so writes land in the order they were decided. */
  let queue: Promise<unknown> = rows.apply([], now() / 1000 - limits.ttlS).catch((error) => options.onError?.(error))
  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const run = queue.then(step)
    queue = run.catch(() => {})
    return run
  }
  const cutoffS = () => now() / 1000 - limits.ttlS

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer)
    timer = undefined
    const writes = pending
    pending = []
    pendingChars = 0
    const sweep = now() - lastSweep >= SWEEP_EVERY_MS
    if (writes.length === 0 && !sweep) return serial(async () => {})
    if (sweep) lastSweep = now()
    return serial(() => rows.apply(writes, sweep ? cutoffS() : undefined)).catch((error) => options.onError?.(error))
  }
  /** Queues the deletes one addition decided; true when there was any. */
  const evict = (session: string, evicted: Evicted): boolean => {
    for (const e of evicted.single) pending.push({ kind: "single", session, stream: e.stream, seq: e.seq })
    if (evicted.through !== undefined) pending.push({ kind: "through", session, seq: evicted.through })
    return evicted.single.length > 0 || evicted.through !== undefined
  }
  const schedule = () => {
    if (pending.length >= FLUSH_AT_ROWS || pendingChars >= FLUSH_AT_CHARS) void flush()
    else if (!timer) {
      timer = setTimeout(() => void flush(), FLUSH_AFTER_MS)
      timer.unref?.()
    }
  }

  return {
    async append(session, stream, message) {
      if (closed) throw new Error("The event log is closed")
      const { entry, evicted } = ledger.add(session, stream, message.length)
      pending.push({ kind: "insert", session, stream, seq: entry.seq, atS: entry.at / 1000, message })
      pendingChars += message.length
      evict(session, evicted)
      schedule()
      return entry.seq
    },
    async mark(session, stream) {
      if (closed) throw new Error("The event log is closed")
      const { entry, evicted } = ledger.add(session, stream, 0, false)
      if (evict(session, evicted)) schedule()
      return entry.seq
    },
    async after(session, stream, seq) {
      await flush()
      return serial(() => rows.select(session, stream, seq, cutoffS()))
    },
    async has(session, stream) {
      return ledger.has(session, stream)
    },
    async dropSession(session) {
      ledger.drop(session)
      if (closed) return
      pending = pending.filter((w) => w.session !== session)
      await serial(() => rows.deleteSession(session))
    },
    async close() {
      if (closed) return
      await flush()
      closed = true
      ledger.clear()
      await queue
      await rows.close?.()
    },
  }
}
