/**
 * What kind of failure an error is: the closed set every layer throws with. Each edge maps a kind to its own shape
 * in one table (`src/mcp/errors.ts`, `src/http/errors.ts`); nothing looks at the message or the code to decide.
 */
export const ERROR_KINDS = [
  "invalid_input",
  "not_found",
  "conflict",
  "unavailable",
  "upstream_refused",
  "content_policy",
  "limit_reached",
  "unauthorized",
  "forbidden",
  "internal",
] as const

export type ErrorKind = (typeof ERROR_KINDS)[number]

export interface AppErrorOptions {
  /** Shown as `[tag] ` before the message (a provider name, `server`); `null` for none. @default "server" */
  tag?: string | null
  cause?: unknown
  /** For `limit_reached`: seconds after which trying again may succeed. */
  retryAfterS?: number
}

/**
 * The root of every error core, storage and the providers throw on purpose. `kind` decides how an edge answers;
 * `code` is a stable machine name for logs and callers; the message, `[tag] detail`, is written for the user.
 * Anything thrown that is not an `AppError` is a bug: the edges log it and answer `internal` with a generic message.
 */
export class AppError extends Error {
  override name = "AppError"
  readonly kind: ErrorKind
  readonly code: string
  readonly tag: string | null
  /** The message without its `[tag] ` prefix. */
  readonly detail: string
  readonly retryAfterS?: number

  constructor(kind: ErrorKind, code: string, detail: string, opts: AppErrorOptions = {}) {
    const tag = opts.tag === undefined ? "server" : opts.tag
    super(tag === null ? detail : `[${tag}] ${detail}`, { cause: opts.cause })
    this.kind = kind
    this.code = code
    this.tag = tag
    this.detail = detail
    if (opts.retryAfterS !== undefined) this.retryAfterS = opts.retryAfterS
  }
}
