import { expect, test } from "bun:test"
import { AppError } from "@/core/errors"
import {
  ContentPolicyError,
  InputUnsupportedError,
  ProviderAuthError,
  ProviderConnectionError,
  ProviderError,
  ProviderRateLimitError,
  TooManyInputImagesError,
  UpstreamNotFoundError,
} from "@/providers/errors"

test.each([
  [new ProviderError("sd_webui", "SD WebUI returned HTTP 500"), "upstream_refused", "provider_error"],
  [new ContentPolicyError("openai", "Content policy rejection: no"), "content_policy", "content_policy"],
  [new ProviderConnectionError("gemini", "Connection error: ECONNREFUSED"), "unavailable", "provider_unreachable"],
  [new ProviderAuthError("openai", "Incorrect API key provided"), "unauthorized", "provider_unauthorized"],
  [new ProviderRateLimitError("gemini", "Quota exceeded"), "limit_reached", "provider_rate_limited"],
  [new UpstreamNotFoundError("openai", "The model 'x' does not exist"), "not_found", "upstream_not_found"],
  [new InputUnsupportedError("placeholder"), "invalid_input", "input_unsupported"],
  [new TooManyInputImagesError("gemini", "m", 3, 4), "invalid_input", "too_many_input_images"],
])("%p is an AppError of kind %s, rendered with the provider as its tag", (error, kind, code) => {
  expect(error).toBeInstanceOf(AppError)
  expect(error).toBeInstanceOf(ProviderError)
  expect(error).toMatchObject({ kind, code, tag: error.provider })
  expect(error.message).toBe(`[${error.provider}] ${error.detail}`)
})

test("a plain ProviderError takes a kind, a code and a cause; a rate limit keeps its retry-after", () => {
  const cause = new Error("404")
  const error = new ProviderError("gemini", "Model 'x' not found", {
    cause,
    kind: "not_found",
    code: "model_not_found",
  })
  expect(error).toMatchObject({
    kind: "not_found",
    code: "model_not_found",
    cause,
    message: "[gemini] Model 'x' not found",
  })
  expect(new ProviderRateLimitError("openai", "slow down", { retryAfterS: 20 }).retryAfterS).toBe(20)
  expect(new ProviderError("openai", "x").retryAfterS).toBeUndefined()
})
