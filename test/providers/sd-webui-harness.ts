// Shared set-up for the sd_webui provider tests: a fake WebUI per test and a provider pointed at it.
import { afterEach, beforeEach } from "bun:test"
import { createSdWebuiProvider, type SdWebuiOptions, type SdWebuiProvider } from "@/providers/sd-webui/provider"
import type { GenerateRequest, InputImage } from "@/providers/types"
import { type FakeSdWebui, type FakeSdWebuiOptions, fakeSdWebui } from "../fixture/fake-sd-webui"

export const TXT2IMG = "/sdapi/v1/txt2img"
export const IMG2IMG = "/sdapi/v1/img2img"

/** A fresh fake per test (`fake()`), disposed after it, with the providers made for it. */
export function useFake(options: FakeSdWebuiOptions = {}) {
  let current: FakeSdWebui | undefined
  const providers: SdWebuiProvider[] = []
  beforeEach(() => {
    current = fakeSdWebui(options)
  })
  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.dispose?.()))
    await current?.[Symbol.asyncDispose]()
    current = undefined
  })
  const fake = (): FakeSdWebui => {
    if (!current) throw new Error("no fake outside a test")
    return current
  }
  /** A provider on the fake (its auth URL), polling every 10 ms. */
  const sd = (opts: Partial<SdWebuiOptions> = {}): SdWebuiProvider => {
    const provider = createSdWebuiProvider({ host: fake().authUrl, pollIntervalMs: 10, ...opts })
    providers.push(provider)
    return provider
  }
  /** Replaces the fake (another flavour or set-up) for the rest of the test. */
  const replace = async (next: FakeSdWebuiOptions): Promise<FakeSdWebui> => {
    await current?.[Symbol.asyncDispose]()
    current = fakeSdWebui(next)
    return current
  }
  return { fake, sd, replace }
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

/** Waits for a condition with a generous deadline (never a fixed sleep). */
export async function until(check: () => boolean | Promise<boolean>, what = "condition", ms = 10_000): Promise<void> {
  const end = performance.now() + ms
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`${what} not reached within ${ms} ms`)
    await Bun.sleep(2)
  }
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

/** The body of the last request to `path`. */
export const lastBody = (fake: FakeSdWebui, path: string) =>
  fake.calls(path).at(-1)?.body as Record<string, unknown> | undefined
