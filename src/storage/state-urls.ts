import { statSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

/** Where one kind of secondary state lives (docs/decisions.md#state-urls). */
export type StatePlace = { kind: "main" } | { kind: "memory" } | { kind: "file"; path: string }

/**
 * Reads `KV_STORE_URL` / `EVENT_STORE_URL`: unset is the main database, `memory://` process memory, `file:///path` a
 * SQLite file there, and a directory gets `fileInDirectory` inside.
 */
export function statePlace(url: string | undefined, fileInDirectory: string): StatePlace {
  if (url === undefined) return { kind: "main" }
  if (url === "memory://") return { kind: "memory" }
  const path = fileURLToPath(url)
  return { kind: "file", path: isDirectory(path) ? join(path, fileInDirectory) : path }
}

/** A path that cannot be looked at is not a directory: opening it then fails with the reason. */
function isDirectory(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false
  } catch {
    return false
  }
}

/** How a place reads in logs: "main database", "memory" or the file's path. */
export function describePlace(place: StatePlace): string {
  return place.kind === "main" ? "main database" : place.kind === "memory" ? "memory" : place.path
}
