import { z } from "zod"
import { ProviderConnectionError, ProviderError } from "../errors"
import type { ProgressCallback } from "../types"

const PROVIDER = "sd_webui"
const PROGRESS_TIMEOUT_MS = 5000

/** Where and how to reach one SD WebUI. */
export interface SdClient {
  host: string
  fetch: typeof fetch
  timeoutMs: number
}

export interface SdResponse {
  status: number
  text: string
}

/**
 * One request, body read included, bounded by `timeoutMs` and the caller's signal.
 * The caller's abort rejects with its reason; a timeout or a network failure becomes a ProviderConnectionError.
 */
export async function send(
  client: SdClient,
  path: string,
  init: { method: "GET" | "POST"; body?: unknown; signal?: AbortSignal; timeoutMs?: number },
): Promise<SdResponse> {
  const { signal } = init
  signal?.throwIfAborted()
  const timeoutMs = init.timeoutMs ?? client.timeoutMs
  const timeout = new AbortController()
  const timer = setTimeout(() => timeout.abort(new Error(`no response within ${timeoutMs} ms`)), timeoutMs)
  try {
    const response = await client.fetch(`${client.host}${path}`, {
      method: init.method,
      headers: init.body === undefined ? undefined : { "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
    })
    return { status: response.status, text: await response.text() }
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    if (timeout.signal.aborted) {
      const seconds = (timeoutMs / 1000).toFixed(1)
      throw new ProviderConnectionError(
        PROVIDER,
        `Request to SD WebUI timed out after ${seconds}s: ${message(error)}`,
        {
          cause: error,
        },
      )
    }
    throw new ProviderConnectionError(
      PROVIDER,
      `Cannot connect to SD WebUI at ${withoutUserinfo(client.host)}: ${message(error)}`,
      {
        cause: error,
      },
    )
  } finally {
    clearTimeout(timer)
  }
}

/** The body of a 200 response as JSON; any other status or unparsable text is a ProviderError. */
export function jsonBody({ status, text }: SdResponse): unknown {
  if (status !== 200) throw new ProviderError(PROVIDER, `SD WebUI returned HTTP ${status}: ${text.slice(0, 200)}`)
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new ProviderError(PROVIDER, `SD WebUI response was not JSON: ${text.slice(0, 200)}`, { cause: error })
  }
}

const ProgressSchema = z.object({
  progress: z.number().nullish(),
  eta_relative: z.number().nullish(),
})

/**
 * Polls `/sdapi/v1/progress` now and then every `intervalMs`, reporting "Step x/y (ETA ns)".
 * Failed polls are ignored. The returned function stops polling, aborts a poll in flight and resolves once
 * the poller has settled, so no timer or callback outlives the generation.
 */
export function pollProgress(
  client: SdClient,
  opts: { steps: number; intervalMs: number; onProgress: ProgressCallback },
): () => Promise<void> {
  const stop = new AbortController()
  const poll = async () => {
    const response = await send(client, "/sdapi/v1/progress", {
      method: "GET",
      signal: stop.signal,
      timeoutMs: PROGRESS_TIMEOUT_MS,
    }).catch(() => undefined)
    if (response?.status !== 200 || stop.signal.aborted) return
    const parsed = ProgressSchema.safeParse(safeJson(response.text))
    if (!parsed.success) return
    const fraction = parsed.data.progress ?? 0
    const eta = parsed.data.eta_relative ?? 0
    const step = `Step ${Math.round(fraction * opts.steps)}/${opts.steps}`
    opts.onProgress(fraction, eta > 0 ? `${step} (ETA ${Math.round(eta)}s)` : step)
  }
  const loop = async () => {
    while (!stop.signal.aborted) {
      await poll().catch(() => undefined)
      await sleep(opts.intervalMs, stop.signal)
    }
  }
  const done = loop()
  return () => {
    stop.abort()
    return done
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const wake = () => {
      clearTimeout(timer)
      signal.removeEventListener("abort", wake)
      resolve()
    }
    const timer = setTimeout(wake, ms)
    signal.addEventListener("abort", wake, { once: true })
  })
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The host as it may be shown: `http://user:password@host` loses its credentials. */
function withoutUserinfo(host: string): string {
  return host.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1")
}
