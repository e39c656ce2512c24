import { redact } from "@/util/redact"
import { ProviderConnectionError } from "../errors"
import { hostWithBasicAuth } from "../local/host-auth"

export const PROVIDER = "sd_webui"

/** Where and how to reach one WebUI. Credentials from the host URL travel only in the Authorization header. */
export interface SdClient {
  /** The base URL without credentials or a trailing slash: safe to show. */
  base: string
  authorization?: string
  fetch: typeof fetch
  /** Bound on every call that is not a generation (listing, options, progress, interrupt). */
  requestTimeoutMs: number
}

export interface SdResponse {
  status: number
  text: string
}

/** A client for `host`, which may carry `user:password@` for a WebUI started with `--api-auth`. */
export function sdClient(host: string, fetchImpl: typeof fetch, requestTimeoutMs: number): SdClient {
  return { ...hostWithBasicAuth(host), fetch: fetchImpl, requestTimeoutMs }
}

/**
 * One request, body read included. `timeoutMs: null` means no bound of its own (a generation, bounded by the job's
 * time-out instead). The caller's abort rejects with its reason; a time-out or a network failure becomes a
 * ProviderConnectionError naming the host without credentials.
 */
export async function send(
  client: SdClient,
  path: string,
  init: { method: "GET" | "POST"; body?: unknown; signal?: AbortSignal; timeoutMs?: number | null },
): Promise<SdResponse> {
  const { signal } = init
  signal?.throwIfAborted()
  const timeoutMs = init.timeoutMs === undefined ? client.requestTimeoutMs : init.timeoutMs
  const timeout = new AbortController()
  const timer =
    timeoutMs === null
      ? undefined
      : setTimeout(() => timeout.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
  const headers: Record<string, string> = {}
  if (init.body !== undefined) headers["content-type"] = "application/json"
  if (client.authorization) headers.authorization = client.authorization
  try {
    const response = await client.fetch(`${client.base}${path}`, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
    })
    return { status: response.status, text: await response.text() }
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    if (timeout.signal.aborted) {
      const seconds = ((timeoutMs ?? 0) / 1000).toFixed(1)
      throw new ProviderConnectionError(
        PROVIDER,
        `Request to SD WebUI at ${client.base} timed out after ${seconds}s (${path}). Check that the WebUI is running and not stuck.`,
        { cause: error },
      )
    }
    throw new ProviderConnectionError(
      PROVIDER,
      `Cannot connect to SD WebUI at ${client.base}: ${redact(message(error))}. Start the WebUI (with --api) or fix IMAGE_GENERATION_MCP_SD_WEBUI_HOST.`,
      { cause: error },
    )
  } finally {
    clearTimeout(timer)
  }
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve()
    const wake = () => {
      clearTimeout(timer)
      signal.removeEventListener("abort", wake)
      resolve()
    }
    const timer = setTimeout(wake, ms)
    signal.addEventListener("abort", wake, { once: true })
  })
}
