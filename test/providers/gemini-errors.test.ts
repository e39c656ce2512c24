// Gemini API failures, classified from HTTP status, error.status and ErrorInfo reasons (never from message words).
import { afterAll, afterEach, beforeEach, describe, expect, test } from "bun:test"
import { writeSync } from "node:fs"
import {
  ContentPolicyError,
  ProviderAuthError,
  ProviderConnectionError,
  type ProviderError,
  ProviderRateLimitError,
  UpstreamNotFoundError,
} from "@/providers/errors"
import { configureLogger } from "@/util/log"
import { GOOGLE_ERRORS, type GoogleErrorBody, startFakeGemini } from "../fixture/fake-gemini"
import { closedPort, failure, geminiOn, KEY, request, signal } from "./gemini-helpers"

const BAD = "AIzaSy-invalid-key-0000000000"
const BLOCKED = "AIzaSy-blocked-key-000000000"
const DISABLED = "AIzaSy-disabled-key-00000000"
const SUSPENDED = "AIzaSy-suspended-key-0000000"
const fake = startFakeGemini({
  keys: { [BAD]: "invalid", [BLOCKED]: "blocked", [DISABLED]: "disabled", [SUSPENDED]: "suspended" },
})
afterAll(() => fake[Symbol.asyncDispose]())
beforeEach(() => fake.reset())
const gemini = geminiOn(fake)
const generateWith = (apiKey: string) => failure(gemini({ apiKey }).generate(request(), { signal }))
const failingWith = (fail: GoogleErrorBody) => {
  fake.set({ fail })
  return failure(gemini().generate(request(), { signal })) as Promise<ProviderError>
}

describe("gemini key and permission errors", () => {
  test("400 API_KEY_INVALID: the key was refused; check the setting", async () => {
    const error = await generateWith(BAD)
    expect(error).toBeInstanceOf(ProviderAuthError)
    expect((error as Error).message).toBe(
      "[gemini] Google refused the API key (400 INVALID_ARGUMENT API_KEY_INVALID): API key not valid. Please pass a valid API key. Check IMAGE_GENERATION_MCP_GOOGLE_API_KEY: copy a valid key from Google AI Studio.",
    )
  })

  test("403 API_KEY_SERVICE_BLOCKED ('… are blocked.') is a key problem, not a content-policy rejection", async () => {
    const error = await generateWith(BLOCKED)
    expect(error).toBeInstanceOf(ProviderAuthError)
    expect(error).not.toBeInstanceOf(ContentPolicyError)
    expect((error as Error).message).toContain(
      "(403 PERMISSION_DENIED API_KEY_SERVICE_BLOCKED): Requests to this API generativelanguage.googleapis.com method google.ai.generativelanguage.v1beta.GenerativeService.GenerateContent are blocked.",
    )
    expect((error as Error).message).toContain("Generative Language API")
  })

  test("403 SERVICE_DISABLED and CONSUMER_SUSPENDED say what to do; the suspended key quoted by Google is masked", async () => {
    const disabled = (await generateWith(DISABLED)) as ProviderError
    expect(disabled).toBeInstanceOf(ProviderAuthError)
    expect(disabled.message).toContain("(403 PERMISSION_DENIED SERVICE_DISABLED)")
    expect(disabled.message).toContain("Enable it in the Google Cloud console")
    const suspended = (await generateWith(SUSPENDED)) as ProviderError
    expect(suspended).toBeInstanceOf(ProviderAuthError)
    expect(suspended.message).toBe(
      "[gemini] Google suspended the API key or its project (403 PERMISSION_DENIED CONSUMER_SUSPENDED): Permission denied: Consumer 'api_key:***' has been suspended. Use another key, or contact Google Cloud support.",
    )
    expect(suspended.cause).toBeUndefined()
  })

  test("403 without a key (a proxy dropping the header) points at the key setting and the proxy", async () => {
    const dropKey: typeof fetch = Object.assign(
      (input: string | URL | Request, init?: RequestInit) => {
        const headers = new Headers(init?.headers)
        headers.delete("x-goog-api-key")
        return fetch(input, { ...init, headers })
      },
      { preconnect: () => {} },
    )
    const error = await failure(gemini({}, dropKey).generate(request(), { signal }))
    expect(error).toBeInstanceOf(ProviderAuthError)
    expect((error as Error).message).toContain("(403 PERMISSION_DENIED): Method doesn't allow unregistered callers")
    expect((error as Error).message).toContain("x-goog-api-key")
    const none = await generateWith("")
    expect((none as Error).message).toBe(
      "[gemini] No Google API key is configured. Set IMAGE_GENERATION_MCP_GOOGLE_API_KEY.",
    )
  })
})

describe("gemini quota, model and request errors", () => {
  test("429 RESOURCE_EXHAUSTED is a rate limit with RetryInfo's delay and the quota named", async () => {
    const error = await failingWith(GOOGLE_ERRORS.quota)
    expect(error).toBeInstanceOf(ProviderRateLimitError)
    expect(error.kind).toBe("limit_reached")
    expect(error.retryAfterS).toBe(22)
    expect(error.message).toContain("Quota: GenerateRequestsPerMinutePerProjectPerModel. Google asks to wait 22 s.")
    expect(fake.requests).toHaveLength(1)
  })

  test("a free-tier quota of 0 says image models need billing; a bare 429 has no retry-after", async () => {
    const free = await failingWith(GOOGLE_ERRORS.freeTierQuota)
    expect(free.retryAfterS).toBe(11)
    expect(free.message).toContain("Gemini image models have no free tier: enable billing")
    const bare = await failingWith(GOOGLE_ERRORS.quotaBare)
    expect(bare).toBeInstanceOf(ProviderRateLimitError)
    expect(bare.retryAfterS).toBeUndefined()
  })

  test.each([
    ["402", GOOGLE_ERRORS.prepayDepleted],
    ["429", GOOGLE_ERRORS.prepayDepleted429],
  ])("prepaid credits used up (%s) is a limit reached, quoting Google", async (_code, body) => {
    const error = await failingWith(body)
    expect(error.kind).toBe("limit_reached")
    expect(error.message).toContain("Your prepayment credits are depleted.")
  })

  test("404 NOT_FOUND for a model Google no longer serves names it and where to look", async () => {
    const error = (await failure(
      gemini({ model: "gemini-3.1-flash-image" }).generate(request(), { signal }),
    )) as ProviderError
    expect(error).toBeInstanceOf(UpstreamNotFoundError)
    expect(error.message).toStartWith(
      "[gemini] Model 'gemini-3.1-flash-image' is not available on the Gemini API for this key (404 NOT_FOUND): models/gemini-3.1-flash-image is not found for API version v1beta",
    )
    expect(error.message).toContain("list_providers")
  })

  test("400 INVALID_ARGUMENT carries Google's message; words like 'safety' or 'blocked' do not make it a policy error", async () => {
    const plain = await failingWith(GOOGLE_ERRORS.invalidArgument)
    expect(plain.message).toBe(
      "[gemini] Gemini refused the request (400 INVALID_ARGUMENT): Request contains an invalid argument. Change what it names and try again.",
    )
    expect(plain.kind).toBe("invalid_input")
    const wordy = await failingWith({
      code: 400,
      status: "INVALID_ARGUMENT",
      message: "Request blocked: safety policy, harm.",
    })
    expect(wordy).not.toBeInstanceOf(ContentPolicyError)
    expect(wordy.kind).toBe("invalid_input")
  })

  test("400 FAILED_PRECONDITION (location) says the region is the problem", async () => {
    const error = await failingWith(GOOGLE_ERRORS.location)
    expect(error.kind).toBe("forbidden")
    expect(error.message).toContain("(400 FAILED_PRECONDITION): User location is not supported for the API use.")
    expect(error.message).toContain("available-regions")
  })

  test.each([
    ["500", GOOGLE_ERRORS.internal],
    ["503 high demand", GOOGLE_ERRORS.overloaded],
    ["503 deadline", GOOGLE_ERRORS.deadlineExpired],
    ["504", GOOGLE_ERRORS.deadline],
  ])("%s is 'unavailable', tried once, quoting Google", async (_label, body) => {
    const error = await failingWith(body)
    expect(error).toBeInstanceOf(ProviderConnectionError)
    expect(error.message).toContain(`(${body.code} ${body.status}): ${body.message}`)
    expect(fake.requests).toHaveLength(1)
  })
})

describe("gemini secrets", () => {
  const logged: string[] = []
  afterEach(() => {
    configureLogger({ level: "error", sink: (line) => writeSync(2, `${line}\n`) })
    logged.length = 0
  })

  test("the key appears in no error, cause or log line, whatever fails", async () => {
    configureLogger({ level: "debug", sink: (line) => logged.push(line) })
    const seen: unknown[] = []
    for (const fail of Object.values(GOOGLE_ERRORS)) seen.push(await failingWith(fail))
    fake.reset()
    for (const key of [SUSPENDED, BAD, BLOCKED]) {
      seen.push(await generateWith(key))
      await gemini({ apiKey: key }).discover()
    }
    fake.echoSecretNext()
    seen.push(await failure(gemini().generate(request(), { signal })))
    seen.push(
      await failure(gemini({ baseUrl: `http://127.0.0.1:${await closedPort()}` }).generate(request(), { signal })),
    )
    const texts = seen.map(
      (e) => `${(e as Error).message} ${(e as Error).stack} ${JSON.stringify(e)} ${String((e as Error).cause)}`,
    )
    for (const text of [...texts, ...logged]) {
      for (const key of [KEY, SUSPENDED, BAD, BLOCKED]) expect(text).not.toContain(key)
    }
    expect(logged.some((line) => line.includes("discovery failed"))).toBe(true)
  })
})
