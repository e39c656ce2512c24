import { redact } from "@/util/redact"
import { ProviderConnectionError } from "../errors"
import { hostWithBasicAuth } from "../local/host-auth"

export const PROVIDER = "comfyui"
export const HOST_SETTING = "IMAGE_GENERATION_MCP_COMFYUI_HOST"

/** Where and how to reach one ComfyUI. Credentials from the host URL travel only in the Authorization header. */
export interface ComfyClient {
  /** The base URL without credentials or a trailing slash: safe to show. */
  base: string
  authorization?: string
  fetch: typeof fetch
  /** Bound on every call that is not waiting for a prompt (object_info, uploads, history, view). */
  requestTimeoutMs: number
}

export interface ComfyResponse {
  status: number
  contentType: string
  bytes: Uint8Array
}

/** A client for `host`, which may carry `user:password@` for a ComfyUI behind a proxy with basic auth. */
export function comfyClient(host: string, fetchImpl: typeof fetch, requestTimeoutMs: number): ComfyClient {
  return { ...hostWithBasicAuth(host), fetch: fetchImpl, requestTimeoutMs }
}

/** The WebSocket URL ComfyUI's /ws route listens on for this client id. */
export function socketUrl(client: ComfyClient, clientId: string): string {
  return `${client.base.replace(/^http/, "ws")}/ws?clientId=${encodeURIComponent(clientId)}`
}

export interface RequestInit {
  method?: "GET" | "POST"
  json?: unknown
  form?: FormData
  signal?: AbortSignal
  /** @default the client's requestTimeoutMs */
  timeoutMs?: number
}

/**
 * One request, body read included. The caller's abort rejects with its reason; a time-out or a network failure
 * becomes a ProviderConnectionError naming ComfyUI and the host without credentials.
 */
export async function request(client: ComfyClient, path: string, init: RequestInit = {}): Promise<ComfyResponse> {
  const { signal } = init
  signal?.throwIfAborted()
  const timeoutMs = init.timeoutMs ?? client.requestTimeoutMs
  const timeout = new AbortController()
  const timer = setTimeout(() => timeout.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
  const headers: Record<string, string> = {}
  if (init.json !== undefined) headers["content-type"] = "application/json"
  if (client.authorization) headers.authorization = client.authorization
  try {
    const response = await client.fetch(`${client.base}${path}`, {
      method: init.method ?? (init.json === undefined && !init.form ? "GET" : "POST"),
      headers,
      body: init.form ?? (init.json === undefined ? undefined : JSON.stringify(init.json)),
      signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
    })
    const bytes = new Uint8Array(await response.arrayBuffer())
    return { status: response.status, contentType: response.headers.get("content-type") ?? "", bytes }
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    if (timeout.signal.aborted) {
      throw new ProviderConnectionError(
        PROVIDER,
        `Request to ComfyUI at ${client.base} timed out after ${(timeoutMs / 1000).toFixed(1)}s (${pathOnly(path)}). Check that ComfyUI is running and not stuck.`,
        { cause: error },
      )
    }
    throw unreachable(client, error)
  } finally {
    clearTimeout(timer)
  }
}

/** ComfyUI could not be reached at all. */
export function unreachable(client: ComfyClient, error: unknown): ProviderConnectionError {
  return new ProviderConnectionError(
    PROVIDER,
    `Cannot connect to ComfyUI at ${client.base}: ${redact(message(error))}. Start ComfyUI or fix ${HOST_SETTING}.`,
    { cause: error },
  )
}

export const text = (response: ComfyResponse) => new TextDecoder().decode(response.bytes)

/** The body as JSON, or undefined when it is not JSON. */
export function json(response: ComfyResponse): unknown {
  try {
    return JSON.parse(text(response))
  } catch {
    return undefined
  }
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

const pathOnly = (path: string) => path.split("?")[0]

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
