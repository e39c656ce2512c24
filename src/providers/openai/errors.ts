// OpenAI failures as provider errors, classified from the structured fields the SDK copies off the answer
// (openai SDK 7.57 `core/error.js`: `status`, `code`, `type`, `param`, `headers`, `error`), never from words in a
// message — with one exception: the organisation-verification 403 carries `code: null` and nothing else that sets it
// apart, so it alone is recognised by its one known sentence ("must be verified").
import type * as OpenAISdk from "openai"
import {
  ContentPolicyError,
  ProviderAuthError,
  ProviderConnectionError,
  ProviderError,
  ProviderRateLimitError,
  UpstreamNotFoundError,
} from "../errors"
import { PROVIDER_NAME } from "./catalog"

type APIError = OpenAISdk.APIError

export const KEY_SETTING = "IMAGE_GENERATION_MCP_OPENAI_API_KEY"
const VERIFY_URL = "https://platform.openai.com/settings/organization/general"
const BILLING_URL = "https://platform.openai.com/settings/organization/billing"
const ORG_NOT_VERIFIED = /organi[sz]ation must be verified/i

/** What the SDK's error carries besides its class. */
interface ErrorBody {
  message?: unknown
  moderation_details?: { moderation_stage?: unknown }
}

/** The provider error for an API answer with an error status; `model` is the model the request named. */
export function apiFailure(error: APIError, model: string | null): ProviderError {
  const status = error.status ?? 0
  const body = (error.error ?? {}) as ErrorBody
  const upstream = typeof body.message === "string" && body.message ? body.message : error.message
  const { code, type, param } = error
  const request = error.requestID ? ` (request ${error.requestID})` : ""
  const opts = { cause: error }

  if (code === "moderation_blocked" || code === "content_policy_violation") {
    const stage = body.moderation_details?.moderation_stage
    const where = stage === "input" || stage === "output" ? ` at the ${stage} stage` : ""
    return new ContentPolicyError(
      PROVIDER_NAME,
      `OpenAI's safety system refused the request${where}: ${upstream} Rephrase the prompt or use another provider.`,
      opts,
    )
  }
  if (status === 401) {
    if (code === "invalid_api_key") {
      return new ProviderAuthError(PROVIDER_NAME, `OpenAI rejected the API key. Check ${KEY_SETTING}.`, opts)
    }
    return new ProviderAuthError(
      PROVIDER_NAME,
      `OpenAI refused the credentials: ${upstream} Check ${KEY_SETTING}; a restricted key needs write access to the Images API.`,
      opts,
    )
  }
  if (status === 403) {
    if (code === null && ORG_NOT_VERIFIED.test(upstream)) {
      return new ProviderAuthError(
        PROVIDER_NAME,
        `OpenAI lets only verified organisations use ${model ? `'${model}'` : "this model"}. Verify the organisation at ${VERIFY_URL} (access can take up to 15 minutes to arrive), or use another provider.`,
        opts,
      )
    }
    if (code === "unsupported_country_region_territory") {
      return new ProviderAuthError(
        PROVIDER_NAME,
        "OpenAI does not serve requests from this country, region or territory.",
        opts,
      )
    }
    return new ProviderAuthError(
      PROVIDER_NAME,
      `OpenAI denied access: ${upstream} Check the project and organisation of the key in ${KEY_SETTING}.`,
      opts,
    )
  }
  if (status === 404 || (status === 400 && param === "model" && code === "invalid_value")) {
    const which = model ? `model '${model}'` : "what was asked for"
    return new UpstreamNotFoundError(
      PROVIDER_NAME,
      `OpenAI does not offer ${which} to this key: ${upstream} See list_providers for the models it offers.`,
      opts,
    )
  }
  if (status === 429) {
    if (code === "insufficient_quota" || type === "insufficient_quota") {
      return new ProviderRateLimitError(
        PROVIDER_NAME,
        `OpenAI quota exhausted: ${upstream} Add credits or raise the limit at ${BILLING_URL}; waiting will not help.`,
        opts,
      )
    }
    const retryAfterS = retryAfter(error.headers)
    const when = retryAfterS === undefined ? "Try again later" : `Try again in ${retryAfterS} s`
    return new ProviderRateLimitError(PROVIDER_NAME, `OpenAI rate limit reached: ${upstream} ${when}.`, {
      ...opts,
      ...(retryAfterS !== undefined && { retryAfterS }),
    })
  }
  if (status >= 500) {
    return new ProviderConnectionError(
      PROVIDER_NAME,
      `OpenAI is unavailable (HTTP ${status}): ${upstream} Try again later${request}.`,
      opts,
    )
  }
  const field = param ? `, parameter '${param}'` : ""
  return new ProviderError(
    PROVIDER_NAME,
    `OpenAI refused the request (HTTP ${status}${field}): ${upstream}${request}`,
    opts,
  )
}

/**
 * Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date), the headers the SDK itself
 * honours (`client.js`, retry handling); undefined when neither is there or readable.
 */
export function retryAfter(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers?.get("retry-after-ms") ?? "")
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms / 1000)
  const value = headers?.get("retry-after")?.trim()
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000))
}
