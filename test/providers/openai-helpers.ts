import { solidPng } from "@/providers/solid-png"
import type { GenerateRequest, InputImage } from "@/providers/types"
import type { FakeOpenAI, FakeOpenAIRequest } from "../fixture/fake-openai"

/** The key the fakes of the openai tests accept. */
export const KEY = "sk-proj-test-0123456789abcdef"

export const live = () => ({ signal: new AbortController().signal })

export const request = (fields: Partial<GenerateRequest> = {}): GenerateRequest => ({
  prompt: "a lighthouse",
  aspectRatio: "1:1",
  quality: "standard",
  background: "opaque",
  ...fields,
})

export const input = (data: Uint8Array, contentType = "image/png"): InputImage => ({
  data,
  contentType: contentType as InputImage["contentType"],
  sourceId: null,
})

/** A small opaque PNG reference, `width`×`height`. */
export const png = (width = 32, height = 32) => input(solidPng(width, height, [200, 100, 50]))

/** The last request the fake saw. */
export function lastRequest(fake: FakeOpenAI): FakeOpenAIRequest {
  const seen = fake.requests.at(-1)
  if (!seen) throw new Error("the fake saw no request")
  return seen
}

/** The images requests the fake saw (discovery left out). */
export const imageRequests = (fake: FakeOpenAI) => fake.requests.filter((r) => r.path.startsWith("/v1/images"))

/** A base URL where nothing listens. */
export async function closedPortUrl(): Promise<string> {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() })
  const url = `http://127.0.0.1:${server.port}/v1`
  await server.stop(true)
  return url
}

/** What a promise rejected with; fails when it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error("expected a rejection")
}

/** The `error` object of an error answer. */
export async function errorBody(
  res: Response,
): Promise<{ message: string; type: string; param: string | null; code: string | null }> {
  return ((await res.json()) as { error: { message: string; type: string; param: string | null; code: string | null } })
    .error
}
