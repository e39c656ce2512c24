import {
  ProviderAuthError,
  ProviderConnectionError,
  ProviderError,
  ProviderRateLimitError,
  UpstreamNotFoundError,
} from "../errors"

const PROVIDER = "gemini"
const KEY_SETTING = "IMAGE_GENERATION_MCP_GOOGLE_API_KEY"
const RATE_LIMITS = "https://ai.google.dev/gemini-api/docs/rate-limits"
/** How much of Google's message an error quotes. */
const MAX_QUOTE = 400
/** Transport error codes: Node's and Bun's names for refused, reset and unresolvable connections. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ConnectionRefused",
  "ConnectionClosed",
  "FailedToOpenSocket",
])

/** Google's error body (google.rpc.Status as JSON): `{"error":{code,message,status,details}}`. */
interface GoogleStatus {
  code?: number
  message?: string
  status?: string
  details?: { "@type"?: string; reason?: string; retryDelay?: string; violations?: { quotaId?: string }[] }[]
}

/** What a failed call tells, read from the SDK's `ApiError` (HTTP status; the body JSON-encoded as its message). */
export interface UpstreamFailure {
  http: number
  status: string
  message: string
  /** `ErrorInfo.reason`, e.g. API_KEY_INVALID. */
  reason?: string
  /** `RetryInfo.retryDelay` in whole seconds. */
  retryAfterS?: number
  quotaIds: string[]
}

/** The structured fields of an SDK `ApiError`, or undefined for anything else. */
export function readFailure(error: unknown): UpstreamFailure | undefined {
  if (!(error instanceof Error) || error.name !== "ApiError") return undefined
  const http = (error as { status?: unknown }).status
  if (typeof http !== "number") return undefined
  let body: GoogleStatus = {}
  try {
    const parsed = JSON.parse(error.message) as { error?: GoogleStatus }
    body = parsed.error ?? {}
  } catch {
    body = { message: error.message }
  }
  const details = Array.isArray(body.details) ? body.details : []
  const typed = (type: string) => details.find((d) => d["@type"]?.endsWith(`google.rpc.${type}`))
  const delay = typed("RetryInfo")?.retryDelay
  const seconds = delay ? Number.parseFloat(delay) : Number.NaN
  return {
    http,
    status: typeof body.status === "string" ? body.status : "",
    message: typeof body.message === "string" ? body.message.trim() : "",
    reason: typed("ErrorInfo")?.reason,
    retryAfterS: Number.isFinite(seconds) ? Math.ceil(seconds) : undefined,
    quotaIds: (typed("QuotaFailure")?.violations ?? []).flatMap((v) => (v.quotaId ? [v.quotaId] : [])),
  }
}

/** Google's message on one line, capped, ending a sentence. */
function quoted(message: string): string {
  const line = message.replace(/\s+/g, " ").trim()
  const capped = line.length > MAX_QUOTE ? `${line.slice(0, MAX_QUOTE - 1).trimEnd()}…` : line
  return /[.!?…]$/.test(capped) ? capped : `${capped}.`
}

/**
 * A Gemini API failure as the error the user sees, classified from the HTTP status, `error.status` and the
 * `ErrorInfo` reason only (Google's message is quoted, never matched). `model` is the model the call was for.
 */
export function classifyFailure(f: UpstreamFailure, model: string | undefined, cause?: unknown): ProviderError {
  const opts = { cause }
  const label = `${f.http}${f.status ? ` ${f.status}` : ""}${f.reason ? ` ${f.reason}` : ""}`
  /** "(label): Google's message." or "(label)." */
  const what = `(${label})${f.message ? `: ${quoted(f.message)}` : "."}`
  switch (f.reason) {
    case "API_KEY_INVALID":
      return new ProviderAuthError(
        PROVIDER,
        `Google refused the API key ${what} Check ${KEY_SETTING}: copy a valid key from Google AI Studio.`,
        opts,
      )
    case "API_KEY_SERVICE_BLOCKED":
      return new ProviderAuthError(
        PROVIDER,
        `The API key may not call the Gemini API ${what} Either its API restrictions leave out the Generative Language API (allow it for the key under APIs & Services → Credentials in the Google Cloud console), or Google blocked a key it found exposed: then create a new key in Google AI Studio.`,
        opts,
      )
    case "API_KEY_HTTP_REFERRER_BLOCKED":
    case "API_KEY_IP_ADDRESS_BLOCKED":
      return new ProviderAuthError(
        PROVIDER,
        `The API key's application restrictions refuse this server ${what} Allow this server for the key in the Google Cloud console, or use a key without application restrictions.`,
        opts,
      )
    case "SERVICE_DISABLED":
      return new ProviderAuthError(
        PROVIDER,
        `The Generative Language API is disabled in the key's Google Cloud project ${what} Enable it in the Google Cloud console, wait a few minutes, then try again.`,
        opts,
      )
    case "CONSUMER_SUSPENDED":
      return new ProviderAuthError(
        PROVIDER,
        `Google suspended the API key or its project ${what} Use another key, or contact Google Cloud support.`,
        opts,
      )
  }
  if (f.http === 401 || f.status === "UNAUTHENTICATED") {
    return new ProviderAuthError(PROVIDER, `Google did not accept the credentials ${what} Check ${KEY_SETTING}.`, opts)
  }
  if (f.http === 403 || f.status === "PERMISSION_DENIED") {
    return new ProviderAuthError(
      PROVIDER,
      `Google refused the request as not permitted ${what} Check ${KEY_SETTING}; a proxy in IMAGE_GENERATION_MCP_GEMINI_BASE_URL must pass the x-goog-api-key header on.`,
      opts,
    )
  }
  if (f.http === 402) {
    return new ProviderRateLimitError(
      PROVIDER,
      `The prepaid credits of the key's billing account are used up ${what} Top them up in Google AI Studio, then try again.`,
      opts,
    )
  }
  if (f.http === 429 || f.status === "RESOURCE_EXHAUSTED") {
    const which = f.quotaIds.length ? ` Quota: ${f.quotaIds.join(", ")}.` : ""
    const wait = f.retryAfterS !== undefined ? ` Google asks to wait ${f.retryAfterS} s.` : ""
    const advice = f.quotaIds.some((id) => id.includes("FreeTier"))
      ? " Gemini image models have no free tier: enable billing for the key's project in Google AI Studio."
      : ` Wait and try again, or check the plan, billing and limits (${RATE_LIMITS}).`
    return new ProviderRateLimitError(PROVIDER, `Gemini quota or rate limit reached ${what}${which}${wait}${advice}`, {
      ...opts,
      retryAfterS: f.retryAfterS,
    })
  }
  if (f.http === 404 || f.status === "NOT_FOUND") {
    const which = model ? `Model '${model}'` : "The requested model"
    return new UpstreamNotFoundError(
      PROVIDER,
      `${which} is not available on the Gemini API for this key ${what} Google may have shut it down: list_providers shows the models it lists; set IMAGE_GENERATION_MCP_GEMINI_MODEL or the request's model to one of them.`,
      opts,
    )
  }
  if (f.status === "FAILED_PRECONDITION") {
    return new ProviderError(
      PROVIDER,
      `Google will not serve this request from here ${what} The Gemini API is not offered in every country, and its free tier in fewer: run the server in a supported region (https://ai.google.dev/gemini-api/docs/available-regions) or enable billing for the key's project.`,
      { ...opts, kind: "forbidden", code: "gemini_failed_precondition" },
    )
  }
  if (f.http >= 500 || f.http === 499 || f.status === "UNAVAILABLE" || f.status === "DEADLINE_EXCEEDED") {
    return new ProviderConnectionError(
      PROVIDER,
      `Gemini is unavailable ${what} Try again in a few minutes, or use another provider.`,
      opts,
    )
  }
  if (f.http === 400 || f.status === "INVALID_ARGUMENT") {
    return new ProviderError(PROVIDER, `Gemini refused the request ${what} Change what it names and try again.`, {
      ...opts,
      kind: "invalid_input",
      code: "gemini_invalid_argument",
    })
  }
  return new ProviderError(PROVIDER, `Gemini API error ${what}`, opts)
}

export function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")
}

/** A failure below HTTP: refused connection, reset, DNS, or a transport-level error class. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = "code" in error && typeof error.code === "string" ? error.code : ""
  const names = `${error.constructor.name} ${error.name}`.toLowerCase()
  return CONNECTION_CODES.has(code) || names.includes("connection") || names.includes("timeout")
}
