/** The search box's text as the `query` filter of gallery_page (pure: no DOM). */

export const QUERY_MAX_LENGTH = 500
export const SEARCH_DEBOUNCE_MS = 300

/**
 * The filter to send: trimmed, and empty when the text holds no letter or digit (the server refuses such a query,
 * and it could match nothing useful anyway).
 */
export function searchQuery(text: string): string {
  const trimmed = text.trim().slice(0, QUERY_MAX_LENGTH)
  return /[\p{L}\p{N}]/u.test(trimmed) ? trimmed : ""
}

/** Runs the last scheduled call once `ms` have passed without another; `flush` runs it now, `cancel` drops it. */
export class Debouncer {
  private timer: ReturnType<typeof setTimeout> | undefined
  private pending: (() => void) | undefined
  private readonly ms: number

  constructor(ms: number) {
    this.ms = ms
  }

  schedule(fn: () => void): void {
    this.cancel()
    this.pending = fn
    this.timer = setTimeout(() => this.flush(), this.ms)
  }

  flush(): void {
    const fn = this.pending
    this.cancel()
    fn?.()
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.pending = undefined
  }
}
