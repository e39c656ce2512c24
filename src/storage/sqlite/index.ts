import type { EventRows } from "../event-log"
import type { OAuthStore, Store } from "../types"
import { openDatabase } from "./db"
import { sqliteEventRows } from "./events"
import { sqliteOAuthStore } from "./oauth"
import { createSqliteStore } from "./store"
import { sqliteTransfers } from "./transfers"

/** Every store one SQLite file holds, over one connection; closing `store` closes the file. */
export interface SqliteDatabase {
  store: Store
  oauth: OAuthStore
  eventRows: EventRows
}

/** Opens (creating and migrating if needed) the SQLite file at `path`; ":memory:" is a private in-memory one. */
export function openSqlite(path: string): SqliteDatabase {
  const db = openDatabase(path)
  return {
    store: createSqliteStore(db, sqliteTransfers(db)),
    oauth: sqliteOAuthStore(db),
    eventRows: sqliteEventRows(db),
  }
}
