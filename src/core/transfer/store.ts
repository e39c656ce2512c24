import { statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { Config } from "@/config/config"
import { createSqliteTransferStore } from "@/storage/sqlite-store"
import type { Store, TransferStore } from "@/storage/types"

const FILE_IN_DIRECTORY = "transfer-tokens.sqlite"

export interface OpenedTransferStore {
  store: TransferStore
  /** For logs: "main database", "memory" or the file path. */
  where: string
  /** Closes a store opened here; the main database is left to its owner. */
  close(): void
}

/**
 * Where transfer tokens live (docs/decisions.md#state-urls): `KV_STORE_URL=memory://` keeps them in memory (lost on
 * restart), `file:///path` in a SQLite file there (a directory gets `transfer-tokens.sqlite` inside), unset means
 * the main database.
 */
export function openTransferStore(config: Pick<Config, "kvStoreUrl">, main: Store): OpenedTransferStore {
  const url = config.kvStoreUrl
  if (url === undefined) return { store: main.transfers, where: "main database", close: () => {} }
  const path = url === "memory://" ? ":memory:" : sqlitePath(fileURLToPath(url))
  const store = createSqliteTransferStore(path)
  return { store, where: url === "memory://" ? "memory" : path, close: () => store.close() }
}

function sqlitePath(path: string): string {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ? join(path, FILE_IN_DIRECTORY) : path
}
