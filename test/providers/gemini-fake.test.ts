// The fake Gemini API refuses what the service refuses (its sources are in test/fixture/fake-gemini/index.ts).
import { afterAll, beforeEach, describe, expect, test } from "bun:test"
import { solidPng } from "@/providers/solid-png"
import { FAKE_IMAGE_MODELS, startFakeGemini } from "../fixture/fake-gemini"

const fake = startFakeGemini({ keys: { "bad-key": "invalid" } })
afterAll(() => fake[Symbol.asyncDispose]())
beforeEach(() => fake.reset())

type Body = Record<string, unknown>
/** The answer fields these tests read. */
interface Wire {
  error?: { code: number; status: string; message: string; details?: Body[] }
  models?: Body[]
  nextPageToken?: string
  candidates?: { content: { parts: { thought?: boolean }[] } }[]
  promptFeedback?: Body
  usageMetadata?: { candidatesTokensDetails?: Body[] }
  [field: string]: unknown
}
async function call(path: string, init: { body?: unknown; key?: string | null; method?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" }
  if (init.key !== null) headers["x-goog-api-key"] = init.key ?? "k"
  const res = await fetch(`${fake.url}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const text = await res.text()
  return { status: res.status, type: res.headers.get("content-type"), text, json: JSON.parse(text) as Wire }
}
const png = Buffer.from(solidPng(2, 2, [1, 2, 3])).toString("base64")
const prompt = (extra: Body = {}, parts: Body[] = []) => ({
  contents: [{ role: "user", parts: [{ text: "a lighthouse" }, ...parts] }],
  ...extra,
})
const generate = (model: string, body: unknown, version = "v1beta") =>
  call(`/${version}/models/${model}:generateContent`, { body })
const image = (imageConfig: Body, thinkingConfig?: Body) =>
  prompt({ generationConfig: { imageConfig, ...(thinkingConfig && { thinkingConfig }) } })
const error = (r: { json: Wire }) => r.json.error ?? expect.unreachable()

describe("fake gemini: auth, models list and get", () => {
  test("no key: 403 unregistered callers; a bad key: 400 API_KEY_INVALID with ErrorInfo; ?key= works too", async () => {
    const none = await call("/v1beta/models", { key: null })
    expect([none.status, error(none).status]).toEqual([403, "PERMISSION_DENIED"])
    expect(error(none).message).toStartWith("Method doesn't allow unregistered callers")
    const bad = await call("/v1beta/models", { key: "bad-key" })
    expect(bad.status).toBe(400)
    expect(error(bad).details?.[0]).toMatchObject({ reason: "API_KEY_INVALID", domain: "googleapis.com" })
    expect(bad.type).toBe("application/json; charset=UTF-8")
    expect(bad.text).toContain('\n  "error": {')
    expect((await call("/v1beta/models?key=k", { key: null })).status).toBe(200)
  })

  test("pages of 50 by default (at most 1000); the token must come with the same pageSize", async () => {
    fake.set({ fillers: 1100 })
    const first = await call("/v1beta/models")
    expect(first.json.models).toHaveLength(50)
    const token = first.json.nextPageToken ?? ""
    expect((await call(`/v1beta/models?pageToken=${token}`)).json.models).toHaveLength(50)
    expect((await call(`/v1beta/models?pageToken=${token}&pageSize=7`)).status).toBe(400)
    expect((await call("/v1beta/models?pageSize=5000")).json.models).toHaveLength(1000)
    fake.reset()
    const all = await call("/v1beta/models?pageSize=1000")
    expect(all.json.nextPageToken).toBeUndefined()
    expect((all.json.models ?? []).map((m) => m.name)).toContain("models/imagen-4.0-generate-001")
    expect((all.json.models ?? []).every((m) => !("baseModelId" in m))).toBe(true)
  })

  test("get: a served model's entry; an unknown or shut-down one is 404", async () => {
    const served = await call("/v1/models/gemini-nano-banana-2.1")
    expect(served.json).toMatchObject({ name: "models/gemini-nano-banana-2.1", thinking: true })
    for (const id of ["gemini-2.5-flash-image", "gemini-3.1-flash-image", "gemini-9"]) {
      const gone = await call(`/v1beta/models/${id}`)
      expect([gone.status, error(gone).status]).toEqual([404, "NOT_FOUND"])
    }
  })
})

describe("fake gemini: generateContent refuses what the service refuses", () => {
  test("an unserved model: 404 with the service's text for that API version", async () => {
    const gone = await generate("gemini-3-pro-image-preview", prompt(), "v1")
    expect(error(gone).message).toBe(
      "models/gemini-3-pro-image-preview is not found for API version v1, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.",
    )
  })

  test("aspect ratios per model, with the service's list message", async () => {
    fake.set({ served: FAKE_IMAGE_MODELS.map((m) => m.id) })
    const wrong = await generate("gemini-3.1-flash-image", image({ aspectRatio: "9:21" }))
    expect(error(wrong).message).toBe(
      "* GenerateContentRequest.generation_config.image_config.aspect_ratio: aspect_ratio must be one of '1:1', '1:4', '1:8', '2:3', '3:2', '3:4', '4:1', '4:3', '4:5', '5:4', '8:1', '9:16', '16:9', or '21:9'.\n",
    )
    for (const model of ["gemini-3-pro-image", "gemini-3.1-flash-lite-image", "gemini-2.5-flash-image"]) {
      expect((await generate(model, image({ aspectRatio: "4:1" }))).status).toBe(400)
    }
    expect((await generate("gemini-nano-banana-2.1", image({ aspectRatio: "8:1" }))).status).toBe(200)
  })

  test("imageSize tiers per model: 512 only on 3.1 Flash, 1K only on Lite, none on 2.5, upper-case K", async () => {
    fake.set({ served: FAKE_IMAGE_MODELS.map((m) => m.id) })
    const status = async (model: string, imageSize: string) => (await generate(model, image({ imageSize }))).status
    expect(await status("gemini-3.1-flash-image", "512")).toBe(200)
    expect(await status("gemini-nano-banana-2.1", "512")).toBe(400)
    expect(await status("gemini-3-pro-image", "512")).toBe(400)
    expect(await status("gemini-3.1-flash-lite-image", "2K")).toBe(400)
    expect(await status("gemini-3.1-flash-lite-image", "1K")).toBe(200)
    expect(await status("gemini-2.5-flash-image", "1K")).toBe(400)
    expect(await status("gemini-nano-banana-2.1", "1k")).toBe(400)
  })

  test("thinkingConfig: levels per model in any case, none on Pro, nothing on 2.5, never level and budget together", async () => {
    fake.set({ served: FAKE_IMAGE_MODELS.map((m) => m.id) })
    const status = async (model: string, thinking: Body) => (await generate(model, image({}, thinking))).status
    expect(await status("gemini-3.1-flash-image", { thinkingLevel: "High" })).toBe(200)
    expect(await status("gemini-3.1-flash-image", { thinkingLevel: "MEDIUM" })).toBe(400)
    expect(await status("gemini-nano-banana-2.1", { thinkingLevel: "medium" })).toBe(200)
    expect(await status("gemini-3-pro-image", { thinkingLevel: "HIGH" })).toBe(400)
    expect(await status("gemini-3-pro-image", { includeThoughts: true })).toBe(200)
    expect(await status("gemini-2.5-flash-image", { includeThoughts: false })).toBe(400)
    expect(await status("gemini-nano-banana-2.1", { thinkingLevel: "HIGH", thinkingBudget: 100 })).toBe(400)
    expect(await status("gemini-nano-banana-2.1", { thinkingLevel: "ULTRA" })).toBe(400)
  })

  test("one candidate only; unknown fields refused (camelCase or snake_case accepted)", async () => {
    const two = await generate("gemini-nano-banana-2.1", prompt({ generationConfig: { candidateCount: 2 } }))
    expect(error(two).message).toBe("Multiple candidates is not enabled for models/gemini-nano-banana-2.1")
    const unknown = await generate("gemini-nano-banana-2.1", prompt({ generationConfig: { size: "1K" } }))
    expect(error(unknown).message).toBe(
      `Invalid JSON payload received. Unknown name "size" at 'generation_config': Cannot find field.`,
    )
    expect(error(unknown).details?.[0]).toMatchObject({ "@type": "type.googleapis.com/google.rpc.BadRequest" })
    const snake = { generation_config: { image_config: { aspect_ratio: "16:9" } } }
    expect((await generate("gemini-nano-banana-2.1", prompt(snake))).status).toBe(200)
  })

  test("references: at most 14, images of accepted types only, valid base64 of real image bytes", async () => {
    const inline = (mimeType: string, data = png) => ({ inlineData: { mimeType, data } })
    const status = async (parts: Body[]) => (await generate("gemini-nano-banana-2.1", prompt({}, parts))).status
    expect(await status(Array.from({ length: 14 }, () => inline("image/png")))).toBe(200)
    expect(await status(Array.from({ length: 15 }, () => inline("image/png")))).toBe(400)
    expect(await status([inline("image/gif")])).toBe(400)
    expect(await status([inline("image/png", "not base64!")])).toBe(400)
    expect(await status([inline("image/png", Buffer.from("plain text").toString("base64"))])).toBe(400)
  })

  test("v1 is served too, but without thinkingConfig; the fake records the version", async () => {
    const v1 = await generate("gemini-nano-banana-2.1", image({}, { thinkingLevel: "HIGH" }), "v1")
    expect(error(v1).message).toBe(
      `Invalid JSON payload received. Unknown name "thinkingConfig" at 'generation_config': Cannot find field.`,
    )
    expect((await generate("gemini-nano-banana-2.1", image({ aspectRatio: "1:1" }), "v1")).status).toBe(200)
    expect(fake.requests.map((r) => r.apiVersion)).toEqual(["v1", "v1"])
  })

  test("answers carry modelVersion, responseId and usage, never a continuationToken; thoughts only when asked", async () => {
    const plain = await generate("gemini-nano-banana-2.1", image({ imageSize: "2K" }))
    expect(plain.json).toMatchObject({ modelVersion: "gemini-nano-banana-2.1", responseId: expect.any(String) })
    expect(plain.json.usageMetadata?.candidatesTokensDetails).toEqual([{ modality: "IMAGE", tokenCount: 1680 }])
    expect(plain.json.candidates?.[0]?.content.parts.some((p) => p.thought)).toBe(false)
    const thinking = await generate("gemini-nano-banana-2.1", image({}, { includeThoughts: true }))
    expect(thinking.json.candidates?.[0]?.content.parts.filter((p) => p.thought)).toHaveLength(2)
    fake.set({ blockReason: "SAFETY" })
    const blocked = await generate("gemini-nano-banana-2.1", prompt())
    expect(blocked.json.candidates).toBeUndefined()
    expect(blocked.json.promptFeedback).toEqual({ blockReason: "SAFETY" })
    for (const r of [plain, thinking, blocked]) expect(r.text).not.toContain("continuationToken")
  })
})
