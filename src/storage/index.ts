/**
 * The storage entry point (docs/decisions.md#storage-drivers): `openStorage` opens every store the configuration
 * names and returns them together. Nothing outside `src/storage` names a backend; the rest of the server sees the
 * interfaces of `types.ts` and `event-log.ts` only.
 */
import { createLogger } from "@/util/log"
import { openBlobStore, openMainDatabase, openOrExplain, redactUrl } from "./drivers"
import { createMemoryEventLog, createStoredEventLog, type EventLog, type EventLogOptions } from "./event-log"
import { openSqlite, type SqliteDatabase } from "./sqlite"
import { describePlace, type StatePlace, statePlace } from "./state-urls"
import type { BlobStore, OAuthStore, Store } from "./types"

export { checkStorage, type StorageFinding } from "./checks"
export type { EventLog, EventLogLimits, EventLogOptions, LoggedEvent } from "./event-log"
export { searchTokens } from "./search-tokens"
export type * from "./types"

/** The settings storage reads (a `Config` has them all). */
export interface StorageSettings {
  /** The SQLite file used when `databaseUrl` is unset. */
  dbPath: string
  /** `postgres://…`: every store in PostgreSQL. */
  databaseUrl?: string
  /** Image bytes and sidecars when `blobStoreUrl` is unset. */
  scratchDir: string
  blobStoreUrl?: string
  /** The S3 client's settings (`S3_*`, `AWS_*`) for an `s3://` blob store. */
  blobStoreEnv?: Readonly<Record<string, string | undefined>>
  /** Transfer tokens and OAuth state elsewhere (docs/decisions.md#state-urls). */
  kvStoreUrl?: string
  /** HTTP events elsewhere; unset falls back to `kvStoreUrl`. */
  eventStoreUrl?: string
}

export interface StorageOptions {
  /** Limits and clock of the HTTP event log (tests). */
  events?: EventLogOptions
}

export type DatabaseDriver = "sqlite" | "postgresql"
export type BlobDriver = "files" | "s3"

/** Every store of one server process. */
export interface Storage {
  /** The drivers in use, for the start-up log and `doctor`. */
  readonly drivers: { readonly database: DatabaseDriver; readonly blobs: BlobDriver }
  /** Where each kind of state lives, for logs: never a credential. */
  readonly where: { readonly database: string; readonly blobs: string; readonly kv: string; readonly events: string }
  /** Images, jobs, meta and transfer tokens. */
  readonly store: Store
  readonly blobs: BlobStore
  /** Server-sent events kept for resumption on HTTP. */
  readonly events: EventLog
  /** The oidc-proxy's clients and refresh tokens. */
  readonly oauth: OAuthStore
  /** Resolves when the database answers. */
  ping(): Promise<void>
  /** Writes what is buffered and closes every store. */
  close(): Promise<void>
}

const log = createLogger("storage")

/** Opens every store from `settings`; a store that cannot be opened is a `ConfigError` naming its setting. */
export async function openStorage(settings: StorageSettings, options: StorageOptions = {}): Promise<Storage> {
  const opened: { close(): Promise<void> }[] = []
  try {
    const main = await openMainDatabase(settings)
    opened.push(main.store)
    const blobs = await openBlobStore(settings)
    // One SQLite connection per place, shared by the kinds of state that live there.
    const places = new Map<string, SqliteDatabase>()
    const side = (place: StatePlace, what: string, setting: string): SqliteDatabase => {
      if (place.kind === "main") return main
      const path = place.kind === "memory" ? ":memory:" : place.path
      const known = places.get(path)
      if (known) return known
      const db = openOrExplain(() => openSqlite(path), what, path, setting)
      opened.push(db.store)
      places.set(path, db)
      return db
    }
    const kvPlace = statePlace(settings.kvStoreUrl, "transfer-tokens.sqlite")
    const transfers = side(kvPlace, "transfer tokens", "KV_STORE_URL").store.transfers
    const oauthPlace = statePlace(settings.kvStoreUrl, "oauth.sqlite")
    const oauth = side(oauthPlace, "OAuth state", "KV_STORE_URL").oauth
    const eventsUrl = settings.eventStoreUrl ?? settings.kvStoreUrl
    const eventsPlace = statePlace(eventsUrl, "http-events.sqlite")
    const eventsSetting = settings.eventStoreUrl ? "EVENT_STORE_URL" : "KV_STORE_URL"
    const eventOptions = { ...options.events, onError: eventsFailed }
    const events =
      eventsPlace.kind === "memory"
        ? createMemoryEventLog(options.events)
        : createStoredEventLog(side(eventsPlace, "HTTP event store", eventsSetting).eventRows, eventOptions)
    const store: Store = { ...main.store, transfers }
    let closing: Promise<void> | undefined
    return {
      drivers: { database: main.driver, blobs: settings.blobStoreUrl ? "s3" : "files" },
      where: {
        database: main.where,
        blobs: settings.blobStoreUrl ? redactUrl(settings.blobStoreUrl) : settings.scratchDir,
        kv: describePlace(kvPlace),
        events: describePlace(eventsPlace),
      },
      store,
      blobs,
      events,
      oauth,
      ping: () => main.store.ping(),
      close() {
        closing ??= (async () => {
          await events.close()
          for (const each of opened.reverse()) await each.close()
        })()
        return closing
      },
    }
  } catch (error) {
    for (const each of opened.reverse()) await each.close().catch(() => {})
    throw error
  }
}

function eventsFailed(error: unknown): void {
  log.warning("Could not write server-sent events for resumption; those events cannot be replayed", { error })
}
