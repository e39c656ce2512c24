// Shared pieces of the gemini provider tests: one fake per test file, a provider pointed at it, requests.
import { expect } from "bun:test"
import { createGeminiProvider, type GeminiOptions } from "@/providers/gemini/provider"
import { solidPng } from "@/providers/solid-png"
import type { GenerateRequest, InputImage } from "@/providers/types"
import type { FakeGemini } from "../fixture/fake-gemini"

export const KEY = "g-test-SECRET-1234567890"
export const signal = new AbortController().signal

export function geminiOn(fake: FakeGemini) {
  return (options: Partial<GeminiOptions> = {}, fetch?: typeof globalThis.fetch) =>
    createGeminiProvider({ apiKey: KEY, baseUrl: fake.url, ...options }, { fetch })
}

export const request = (fields: Partial<GenerateRequest> = {}): GenerateRequest => ({
  prompt: "a lighthouse at dusk",
  aspectRatio: "1:1",
  quality: "standard",
  background: "opaque",
  ...fields,
})

export const refs = (n: number): InputImage[] =>
  Array.from({ length: n }, (_, i) => ({ data: solidPng(2, 2, [i, 0, 0]), contentType: "image/png", sourceId: null }))

/** What a promise rejected with; fails the test when it resolved. */
export const failure = (promise: Promise<unknown> | undefined) =>
  (promise ?? Promise.resolve()).then(
    () => expect.unreachable() as never,
    (e: unknown) => e,
  )

export async function closedPort(): Promise<number> {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() })
  const port = server.port ?? 1
  await server.stop(true)
  return port
}

/** Width and height of encoded image bytes. */
export async function sizeOf(data: Uint8Array): Promise<[number, number]> {
  const { width, height } = await new Bun.Image(data).metadata()
  return [width, height]
}
