import { afterAll, beforeEach, describe, expect, test } from "bun:test"
import { writeSync } from "node:fs"
import {
  ContentPolicyError,
  ProviderAuthError,
  ProviderConnectionError,
  ProviderError,
  ProviderRateLimitError,
  UpstreamNotFoundError,
} from "@/providers/errors"
import { retryAfter } from "@/providers/openai/errors"
import { createOpenAIProvider, type OpenAIOptions } from "@/providers/openai/provider"
import { configureLogger } from "@/util/log"
import { type FakeOpenAIError, fakeOpenAI, OPENAI_ERRORS } from "../fixture/fake-openai"
import { closedPortUrl, KEY, live, png, rejection, request } from "./openai-helpers"

const fake = fakeOpenAI({ apiKey: KEY })
afterAll(() => fake[Symbol.asyncDispose]())
beforeEach(() => fake.reset())

const openai = (o: Partial<OpenAIOptions> = {}) => createOpenAIProvider({ apiKey: KEY, baseUrl: fake.url, ...o })
const refs = { referenceImages: [png()] }

/** What a generation (and, with `edit`, an edit) rejects with when the fake answers with `error`. */
async function failure(error: FakeOpenAIError, fields = {}, options: Partial<OpenAIOptions> = {}) {
  fake.failNext(error)
  const thrown = await rejection(openai(options).generate(request(fields), live()))
  expect(thrown).toBeInstanceOf(ProviderError)
  return thrown as ProviderError
}

describe("openai errors, classified from status, code, type and param", () => {
  test("moderation_blocked, on generations and edits, is a content-policy error naming the stage", async () => {
    for (const fields of [{}, refs]) {
      const error = await failure(OPENAI_ERRORS.moderationBlocked, fields)
      expect(error).toBeInstanceOf(ContentPolicyError)
      expect(error.message).toStartWith("[openai] OpenAI's safety system refused the request at the input stage: ")
      expect(error.message).toContain("include the request ID req_0123456789abcdef")
    }
  })

  test("the legacy content_policy_violation code is a content-policy error too", async () => {
    expect(await failure(OPENAI_ERRORS.contentPolicyViolation)).toBeInstanceOf(ContentPolicyError)
  })

  test("a wrong key is a 401 from the fake, reported as an auth error naming the setting", async () => {
    const error = await rejection(openai({ apiKey: "sk-wrong-key-00000000" }).generate(request(), live()))
    expect(fake.requests.at(-1)).toMatchObject({ authorized: false, status: 401 })
    expect(error).toBeInstanceOf(ProviderAuthError)
    expect((error as Error).message).toBe(
      "[openai] OpenAI rejected the API key. Check IMAGE_GENERATION_MCP_OPENAI_API_KEY.",
    )
  })

  test("a 401 without invalid_api_key (a restricted key) is an auth error with the upstream reason", async () => {
    const scopes: FakeOpenAIError = {
      ...OPENAI_ERRORS.invalidApiKey,
      code: null,
      message: "You have insufficient permissions for this operation. Missing scopes: api.model.images.request.",
    }
    const error = await failure(scopes)
    expect(error).toBeInstanceOf(ProviderAuthError)
    expect(error.message).toContain("Missing scopes: api.model.images.request.")
    expect(error.message).toContain("a restricted key needs write access to the Images API")
  })

  test("the organisation-verification 403 tells the user to verify, with the link", async () => {
    const error = await failure(OPENAI_ERRORS.organizationNotVerified)
    expect(error).toBeInstanceOf(ProviderAuthError)
    expect(error.message).toBe(
      "[openai] OpenAI lets only verified organisations use 'gpt-image-2.6-sunburst'. Verify the organisation at https://platform.openai.com/settings/organization/general (access can take up to 15 minutes to arrive), or use another provider.",
    )
  })

  test("other 403s are auth errors without the verification advice", async () => {
    const region = await failure(OPENAI_ERRORS.regionUnsupported)
    expect(region).toBeInstanceOf(ProviderAuthError)
    expect(region.message).toBe("[openai] OpenAI does not serve requests from this country, region or territory.")
    const project = await failure({ ...OPENAI_ERRORS.organizationNotVerified, message: "Project is archived." })
    expect(project).toBeInstanceOf(ProviderAuthError)
    expect(project.message).toBe(
      "[openai] OpenAI denied access: Project is archived. Check the project and organisation of the key in IMAGE_GENERATION_MCP_OPENAI_API_KEY.",
    )
  })

  test("a rate limit carries the retry-after the service gave, from either header", async () => {
    const seconds = await failure(OPENAI_ERRORS.rateLimited)
    expect(seconds).toBeInstanceOf(ProviderRateLimitError)
    expect(seconds).toMatchObject({ kind: "limit_reached", retryAfterS: 20 })
    expect(seconds.message).toEndWith("Try again in 20 s.")
    const ms = await failure(OPENAI_ERRORS.rateLimitedMs)
    expect(ms.retryAfterS).toBe(2)
    const bare = await failure({ ...OPENAI_ERRORS.rateLimited, headers: {} })
    expect(bare.retryAfterS).toBeUndefined()
    expect(bare.message).toEndWith("Try again later.")
  })

  test("an exhausted quota is a limit with no retry-after and the billing link", async () => {
    const error = await failure({ ...OPENAI_ERRORS.insufficientQuota, headers: { "retry-after": "5" } })
    expect(error).toBeInstanceOf(ProviderRateLimitError)
    expect(error.retryAfterS).toBeUndefined()
    expect(error.message).toContain("OpenAI quota exhausted: You exceeded your current quota")
    expect(error.message).toContain("https://platform.openai.com/settings/organization/billing; waiting will not help.")
  })

  test("a model the service does not know (400 invalid_value on model) is not-found", async () => {
    fake.set({ models: ["gpt-image-7"] })
    const unknown = await rejection(openai({ model: "gpt-image-7" }).generate(request(), live()))
    expect(fake.requests.at(-1)?.status).toBe(400)
    expect(unknown).toBeInstanceOf(UpstreamNotFoundError)
    expect((unknown as Error).message).toBe(
      "[openai] OpenAI does not offer model 'gpt-image-7' to this key: The model 'gpt-image-7' does not exist. See list_providers for the models it offers.",
    )
  })

  test("a real model the key does not list (404 model_not_found) is not-found", async () => {
    fake.set({ models: ["gpt-image-2"] })
    const error = await rejection(openai().generate(request(), live()))
    expect(fake.requests.at(-1)?.status).toBe(404)
    expect(error).toBeInstanceOf(UpstreamNotFoundError)
    expect((error as Error).message).toStartWith(
      "[openai] OpenAI does not offer model 'gpt-image-2.6-sunburst' to this key: The model `gpt-image-2.6-sunburst` does not exist or you do not have access to it.",
    )
  })

  test("any other 400 is a plain refusal with the upstream message, the parameter and the request id", async () => {
    fake.set({ transparencyPreview: false })
    const error = await failure({
      status: 400,
      message: "Invalid value: 'x'. Supported values are: 'low' and 'auto'.",
      type: "invalid_request_error",
      param: "moderation",
      code: "invalid_value",
    })
    expect(error.constructor).toBe(ProviderError)
    expect(error.kind).toBe("upstream_refused")
    expect(error.message).toMatch(
      /^\[openai\] OpenAI refused the request \(HTTP 400, parameter 'moderation'\): Invalid value: 'x'\. Supported values are: 'low' and 'auto'\. \(request req_[0-9a-f]{16}\)$/,
    )
  })

  test.each([
    ["500", OPENAI_ERRORS.server],
    ["503", OPENAI_ERRORS.overloaded],
  ])("a %s is 'unavailable' and says to try later", async (status, body) => {
    const error = await failure(body)
    expect(error).toBeInstanceOf(ProviderConnectionError)
    expect(error.kind).toBe("unavailable")
    expect(error.message).toStartWith(
      `[openai] OpenAI is unavailable (HTTP ${status}): ${body.message} Try again later`,
    )
  })

  test("a refused connection and a time-out are connection errors", async () => {
    const refused = await rejection(openai({ baseUrl: await closedPortUrl() }).generate(request(), live()))
    expect(refused).toBeInstanceOf(ProviderConnectionError)
    expect((refused as Error).message).toStartWith("[openai] Could not reach the OpenAI API: ")
    fake.set({ delayMs: 2000 })
    const slow = await rejection(openai({ timeoutMs: 100 }).generate(request(), live()))
    expect(slow).toBeInstanceOf(ProviderConnectionError)
    expect((slow as Error).message).toBe("[openai] OpenAI did not answer within 0.1 s (timed out).")
  })

  test("answers the service never sends fail clearly, worded per endpoint", async () => {
    const cases: [Parameters<typeof fake.replyNext>[0], object, string][] = [
      ["empty", {}, "[openai] Empty response from image API"],
      ["empty", refs, "[openai] Empty response from image edit API"],
      ["no-b64", {}, "[openai] No image data in response"],
      ["no-b64", refs, "[openai] No image data in edit response"],
      ["html", {}, "[openai] Empty response from image API"],
      ["malformed", {}, "[openai] Image generation failed: "],
    ]
    for (const [reply, fields, message] of cases) {
      fake.replyNext(reply)
      const error = await rejection(openai().generate(request(fields), live()))
      expect((error as Error).message).toStartWith(message)
      expect((error as ProviderError).kind).toBe("upstream_refused")
    }
  })

  test("the API key never appears in an error, its cause or the logs, even when the upstream echoes it", async () => {
    const logged: string[] = []
    configureLogger({ level: "debug", sink: (line) => logged.push(line) })
    try {
      const echo = { ...OPENAI_ERRORS.invalidApiKey, code: null, message: `Incorrect API key provided: ${KEY}.` }
      const seen: string[] = []
      for (const error of [echo, { ...OPENAI_ERRORS.server, message: `boom ${KEY}` }]) {
        const thrown = await failure(error)
        seen.push(thrown.message, String((thrown.cause as Error)?.message), JSON.stringify(thrown.cause))
      }
      fake.set({ error: { ...OPENAI_ERRORS.server, message: `listing failed for ${KEY}` } })
      expect((await openai().discover()).degraded).toBe(true)
      expect([...seen, ...logged].join("\n")).not.toContain(KEY)
      expect(seen.join("\n")).toContain("***")
    } finally {
      configureLogger({ level: "error", sink: (line) => writeSync(2, `${line}\n`) })
    }
  })

  test("ping resolves with a working key and says why it fails otherwise", async () => {
    await openai().ping?.(AbortSignal.timeout(5000))
    expect(fake.requests.at(-1)).toMatchObject({ path: "/v1/models", authorized: true })
    const wrong = openai({ apiKey: "sk-wrong-key-00000000" }).ping?.(AbortSignal.timeout(5000))
    await expect(wrong).rejects.toBeInstanceOf(ProviderAuthError)
    const closed = openai({ baseUrl: await closedPortUrl() }).ping?.(AbortSignal.timeout(5000))
    await expect(closed).rejects.toBeInstanceOf(ProviderConnectionError)
  })
})

describe("openai retry-after headers", () => {
  const headers = (entries: Record<string, string>) => new Headers(entries)
  test("milliseconds win, then seconds, then an HTTP date; garbage is ignored", () => {
    const now = Date.parse("2026-12-02T12:00:00Z")
    expect(retryAfter(headers({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(1)
    expect(retryAfter(headers({ "retry-after": "7.2" }), now)).toBe(8)
    expect(retryAfter(headers({ "retry-after": "Wed, 02 Dec 2026 12:00:30 GMT" }), now)).toBe(30)
    expect(retryAfter(headers({ "retry-after": "soon" }), now)).toBeUndefined()
    expect(retryAfter(headers({}), now)).toBeUndefined()
    expect(retryAfter(undefined, now)).toBeUndefined()
  })
})
