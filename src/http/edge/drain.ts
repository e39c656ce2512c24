import type { MiddlewareHandler } from "hono"

/** Counts requests in flight and, once shutdown starts, refuses new ones so the open ones can finish. */
export interface Drain {
  /** Counts each request until its handler returns; 503 once draining. Mount first. */
  readonly middleware: MiddlewareHandler
  /** One more unit of work in flight (a response stream still being written); call the result when done. */
  hold(): () => void
  /** Requests (and POST response streams) open right now. */
  readonly inFlight: number
  /** Starts refusing; resolves true once nothing is in flight, false if `timeoutMs` passed first. */
  drain(timeoutMs: number): Promise<boolean>
}

export function createDrain(): Drain {
  let inFlight = 0
  let draining = false
  let idle: (() => void) | undefined
  const hold = () => {
    inFlight++
    let released = false
    return () => {
      if (released) return
      released = true
      inFlight--
      if (inFlight === 0) idle?.()
    }
  }
  return {
    async middleware(c, next) {
      if (draining) {
        c.header("connection", "close")
        c.header("retry-after", "5")
        return c.json({ error: "The server is shutting down" }, 503)
      }
      const release = hold()
      try {
        await next()
      } finally {
        release()
      }
    },
    hold,
    get inFlight() {
      return inFlight
    },
    async drain(timeoutMs) {
      draining = true
      if (inFlight === 0) return true
      const done = new Promise<true>((resolve) => {
        idle = () => resolve(true)
      })
      let timer: ReturnType<typeof setTimeout> | undefined
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs)
      })
      const drained = await Promise.race([done, timeout])
      clearTimeout(timer)
      idle = undefined
      return drained
    },
  }
}
