import { AppError } from "@/util/app-error"

/** Bun's codes for a connection that could not be made or was lost (docs: runtime/sql, "Connection Errors"). */
const CONNECTION_CODES = new Set([
  "ERR_POSTGRES_CONNECTION_CLOSED",
  "ERR_POSTGRES_CONNECTION_FAILED",
  "ERR_POSTGRES_CONNECTION_REFUSED",
  "ERR_POSTGRES_CONNECTION_TIMEOUT",
  "ERR_POSTGRES_IDLE_TIMEOUT",
  "ERR_POSTGRES_LIFETIME_TIMEOUT",
  "ERR_POSTGRES_TLS_UPGRADE_FAILED",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
])
/** SQLSTATEs of a server that is going away or not taking connections: shutdown, crash, start-up, too many. */
const UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300"])

/** Whether `error` means the database cannot be reached right now (as opposed to a refused statement). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const { code, errno } = error as Error & { code?: unknown; errno?: unknown }
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return true
  return typeof errno === "string" && (errno.startsWith("08") || UNAVAILABLE_STATES.has(errno))
}

/** The error every store call gives while PostgreSQL cannot be reached. */
export class DatabaseUnavailableError extends AppError {
  override name = "DatabaseUnavailableError"
  constructor(cause: unknown) {
    super("unavailable", "database_unavailable", "The database is not reachable right now; try again shortly.", {
      cause,
    })
  }
}

/**
 * Wraps every method of a store so that a lost or refused connection becomes `DatabaseUnavailableError`; other
 * errors pass unchanged. Each method is one statement or one transaction, so a failed call leaves nothing half-written.
 */
export function guarded<T extends object>(store: T): T {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(store)) {
    out[name] =
      typeof value === "function"
        ? async (...args: unknown[]) => {
            try {
              return await value.apply(store, args)
            } catch (error) {
              throw isConnectionError(error) ? new DatabaseUnavailableError(error) : error
            }
          }
        : value
  }
  return out as T
}
