// The part of the provider contract about the service behind a provider: cancel, refused connections,
// time-outs, answers that are not images, and secrets. Every provider with an upstream passes it.
import { afterEach, describe, expect, test } from "bun:test"
import { writeSync } from "node:fs"
import { AppError } from "@/core/errors"
import type { GenerateRequest, ImageProvider } from "@/providers/types"
import { configureLogger } from "@/util/log"

/** Control over a provider's fake upstream, as the contract needs it. */
export interface UpstreamHarness {
  /** A provider pointed at the fake; `timeoutMs` bounds one generation. */
  provider(opts?: { timeoutMs?: number }): ImageProvider | Promise<ImageProvider>
  /** A provider pointed at a port nothing listens on. */
  unreachable(): ImageProvider | Promise<ImageProvider>
  /** The fake's next generation request never answers; `arrived` resolves when it came in, `closed` when the client hung up. */
  hangNext(): { arrived: Promise<void>; closed: Promise<void> }
  /** The fake's next generation answers 200 with a body that is not what the service sends (a proxy's HTML page). */
  nonImageNext(): void
  /** The fake's next generation fails with an error body that quotes this secret back. */
  echoSecretNext(secret: string): void
  /** The credential the provider from `provider()` uses (an API key, or the password in the host URL). */
  secret: string
  /** A request the provider can run with its default model. */
  request?: Partial<GenerateRequest>
}

const deadline = (ms: number) =>
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))

/** Runs `generate` and returns what it rejected with; fails the test if it resolved. */
async function rejection(provider: ImageProvider, request: GenerateRequest, signal = new AbortController().signal) {
  try {
    await Promise.race([provider.generate(request, { signal }), deadline(30_000)])
  } catch (error) {
    return error
  }
  throw new Error("generate resolved, but the contract expected a failure")
}

export function testUpstreamContract(name: string, harness: UpstreamHarness): void {
  const request = (): GenerateRequest => ({
    prompt: "a lighthouse",
    aspectRatio: "1:1",
    quality: "standard",
    background: "opaque",
    ...harness.request,
  })

  describe(`${name} provider contract: the service behind it`, () => {
    const logged: string[] = []
    afterEach(() => {
      configureLogger({ level: "error", sink: (line) => writeSync(2, `${line}\n`) })
      logged.length = 0
    })

    test("a cancel reaches the HTTP call: the request is dropped and generate rejects with the abort reason", async () => {
      const provider = await harness.provider()
      const { arrived, closed } = harness.hangNext()
      const controller = new AbortController()
      const reason = new Error("cancelled by the user")
      const pending = rejection(provider, request(), controller.signal)
      await Promise.race([arrived, deadline(20_000)])
      controller.abort(reason)
      expect(await pending).toBe(reason)
      await Promise.race([closed, deadline(20_000)])
    })

    test("a refused connection is 'unavailable' and names the provider", async () => {
      const error = await rejection(await harness.unreachable(), request())
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).kind).toBe("unavailable")
      expect((error as AppError).message).toStartWith(`[${name}] `)
    })

    test("a service that does not answer in time is 'unavailable' with a time-out message", async () => {
      const provider = await harness.provider({ timeoutMs: 300 })
      harness.hangNext()
      const error = await rejection(provider, request())
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).kind).toBe("unavailable")
      expect((error as AppError).message).toMatch(/timed out|time-out|timeout/i)
    })

    test("an answer that is not the service's (an HTML page with status 200) fails clearly", async () => {
      harness.nonImageNext()
      const error = await rejection(await harness.provider(), request())
      expect(error).toBeInstanceOf(AppError)
      expect(["upstream_refused", "unavailable"]).toContain((error as AppError).kind)
      expect((error as AppError).message).toStartWith(`[${name}] `)
    })

    test("the credential never reaches the error or the logs, even when the service quotes it", async () => {
      configureLogger({ level: "debug", sink: (line) => logged.push(line) })
      harness.echoSecretNext(harness.secret)
      const error = await rejection(await harness.provider(), request())
      const seen = [String(error), (error as Error).message, ...chain(error), ...logged].join("\n")
      expect(harness.secret.length).toBeGreaterThan(4)
      expect(seen).not.toContain(harness.secret)
      expect(error).toBeInstanceOf(AppError)
    })
  })
}

/** The messages of an error's causes, which end up in logs. */
function chain(error: unknown): string[] {
  const out: string[] = []
  let cause = (error as { cause?: unknown })?.cause
  for (let i = 0; cause && i < 5; i++) {
    out.push(cause instanceof Error ? `${cause.message} ${JSON.stringify(cause)}` : String(cause))
    cause = (cause as { cause?: unknown }).cause
  }
  return out
}
