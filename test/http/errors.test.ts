import { afterEach, describe, expect, test } from "bun:test"
import { Hono } from "hono"
import { HTTPException } from "hono/http-exception"
import { AppError, ERROR_KINDS, type ErrorKind } from "@/core/errors"
import { HTTP_STATUS, handleError } from "@/http/errors"
import { ProviderRateLimitError } from "@/providers/errors"
import { configureLogger } from "@/util/log"

const EXPECTED: Record<ErrorKind, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  content_policy: 422,
  limit_reached: 429,
  internal: 500,
  upstream_refused: 502,
  unavailable: 503,
}

afterEach(() => configureLogger({ level: "error", json: true, sink: (line) => process.stderr.write(`${line}\n`) }))

/** A Hono app with the server's `onError`, whose `/fail` throws whatever `state.next` holds. */
function failingApp() {
  const state: { next: unknown } = { next: undefined }
  const app = new Hono()
  app.onError(handleError)
  app.get("/fail", () => {
    throw state.next
  })
  return { state, request: () => app.request("/fail") }
}

describe("the HTTP error table", () => {
  test("maps every kind, and nothing else, to a status", () => {
    expect(Object.keys(HTTP_STATUS).sort()).toEqual([...ERROR_KINDS].sort())
    expect({ ...HTTP_STATUS } as Record<ErrorKind, number>).toEqual(EXPECTED)
  })

  test("every kind is answered with its status and { error: message }", async () => {
    const app = failingApp()
    configureLogger({ level: "critical" })
    for (const kind of ERROR_KINDS) {
      app.state.next = new AppError(kind, `test_${kind}`, `${kind} happened`)
      const res = await app.request()
      expect(res.status).toBe(EXPECTED[kind])
      expect(await res.json()).toEqual({ error: `[server] ${kind} happened` })
      expect(res.headers.get("retry-after")).toBeNull()
    }
  })

  test("limit_reached says when to come back when the error knows", async () => {
    const app = failingApp()
    app.state.next = new ProviderRateLimitError("openai", "Rate limit reached", { retryAfterS: 2.5 })
    const res = await app.request()
    expect(res.status).toBe(429)
    expect(res.headers.get("retry-after")).toBe("3")
    expect(await res.json()).toEqual({ error: "[openai] Rate limit reached" })
  })

  test("anything else is a logged, bare 500; Hono's own exceptions keep their status", async () => {
    const lines: string[] = []
    configureLogger({ level: "error", json: true, sink: (line) => lines.push(line) })
    const app = failingApp()
    app.state.next = new Error("failed at /home/me/.keys with sk-live-123")
    const res = await app.request()
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ error: "Internal server error" })
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: "error", logger: "http", message: "HTTP request failed", path: "/fail" }),
    ])

    app.state.next = new HTTPException(418, { message: "short and stout" })
    const teapot = await app.request()
    expect(teapot.status).toBe(418)
    expect(await teapot.json()).toEqual({ error: "short and stout" })
    expect(lines).toHaveLength(1)
  })
})
