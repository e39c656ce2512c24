import { LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/sdk/types.js"

/** Headers a Streamable HTTP client sends on a POST. */
export const POST_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" }

export const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
}

export const LIST_TOOLS = { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} }

export function post(message: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: "POST", headers: { ...POST_HEADERS, ...headers }, body: JSON.stringify(message) }
}

/** A fake clock for idle sweeps: `advance(ms)` moves it forward. */
export function manualClock(start = 1_000_000) {
  let now = start
  return {
    now: () => now,
    advance(ms: number) {
      now += ms
    },
  }
}

/** `await using x = closing(value)` calls `value.close()` at the end of the scope. */
export function closing<T extends { close(): Promise<void> }>(value: T): T & AsyncDisposable {
  return Object.assign(value, { [Symbol.asyncDispose]: () => value.close() })
}
