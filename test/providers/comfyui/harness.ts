// Shared set-up for the comfyui provider tests: a fake ComfyUI per test and providers pointed at it.
import { afterEach, beforeEach } from "bun:test"
import { type ComfyUiOptions, type ComfyUiProvider, createComfyUiProvider } from "@/providers/comfyui/provider"
import type { GenerateRequest, InputImage } from "@/providers/types"
import { type FakeComfyUi, type FakeComfyUiOptions, fakeComfyUi } from "./fake"
import type { Timing } from "./fake/queue"

/** A fresh fake per test (`fake()`), disposed after it with the providers made for it. */
export function useFake(options: FakeComfyUiOptions = {}, timing: Partial<Timing> = {}) {
  let current: FakeComfyUi | undefined
  const providers: ComfyUiProvider[] = []
  beforeEach(() => {
    current = fakeComfyUi(options, timing)
  })
  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.dispose?.()))
    await current?.[Symbol.asyncDispose]()
    current = undefined
  })
  const fake = (): FakeComfyUi => {
    if (!current) throw new Error("no fake outside a test")
    return current
  }
  /** A provider on the fake (its auth URL), polling every 10 ms. */
  const comfy = (opts: Partial<ComfyUiOptions> = {}): ComfyUiProvider => {
    const provider = createComfyUiProvider({ host: fake().authUrl, pollIntervalMs: 10, ...opts })
    providers.push(provider)
    return provider
  }
  /** Replaces the fake (another version or set-up) for the rest of the test. */
  const replace = async (next: FakeComfyUiOptions, nextTiming: Partial<Timing> = timing): Promise<FakeComfyUi> => {
    await current?.[Symbol.asyncDispose]()
    current = fakeComfyUi(next, nextTiming)
    return current
  }
  return { fake, comfy, replace }
}

export const request = (fields: Partial<GenerateRequest> = {}): GenerateRequest => ({
  prompt: "a lighthouse at dusk",
  aspectRatio: "1:1",
  quality: "standard",
  background: "opaque",
  ...fields,
})

export const live = () => ({ signal: new AbortController().signal })

export const png = (data: Uint8Array): InputImage => ({ data, contentType: "image/png", sourceId: null })

/** What a promise rejected with; fails when it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error("expected a rejection")
}

/** The graph of the last prompt the fake queued. */
export function lastGraph(fake: FakeComfyUi): Record<string, { class_type: string; inputs: Record<string, unknown> }> {
  const last = fake.prompts().at(-1)
  if (!last) throw new Error("no prompt was queued")
  return last.prompt
}

/** The inputs of the node of this class in a graph (the only one). */
export function nodeOf(graph: ReturnType<typeof lastGraph>, classType: string): Record<string, unknown> {
  const nodes = Object.values(graph).filter((n) => n.class_type === classType)
  if (nodes.length !== 1) throw new Error(`expected one ${classType}, found ${nodes.length}`)
  return (nodes[0] as { inputs: Record<string, unknown> }).inputs
}
