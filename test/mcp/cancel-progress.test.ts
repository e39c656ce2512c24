import { describe, expect, test } from "bun:test"
import { createFakeProvider } from "../fixture/fake-provider"
import { connect } from "../helpers/mcp"
import { waitFor } from "../helpers/wait"

/** A provider that reports progress and waits until aborted or told to finish. */
function steppingProvider() {
  const state = { aborted: false, finish: () => {} }
  const provider = createFakeProvider({
    name: "stepper",
    generate: (request, signal) =>
      new Promise((resolve, reject) => {
        state.finish = () => resolve(createFakeProvider().generate(request, { signal }))
        signal.addEventListener("abort", () => {
          state.aborted = true
          reject(signal.reason)
        })
      }),
  })
  return { provider, state }
}

describe("cancel_generation", () => {
  test("aborts a running job: the provider sees the abort, the status is cancelled, nothing is stored", async () => {
    const { provider, state } = steppingProvider()
    await using env = await connect({ deps: { extraProviders: [provider] } })
    const { image_id } = JSON.parse(env.text(await env.call("generate_image", { prompt: "x", provider: "stepper" })))
    const cancelled = await env.call("cancel_generation", { image_id })
    expect(JSON.parse(env.text(cancelled))).toEqual({ status: "cancelled", image_id })
    await env.services.jobs.idle()
    expect(state.aborted).toBe(true)
    const list = JSON.parse(await env.readText("image://list"))
    expect(list).toEqual([expect.objectContaining({ image_id, status: "cancelled" })])
    const shown = JSON.parse(env.text(await env.call("show_image", { uri: `image://${image_id}/view` })))
    expect(shown).toEqual({ status: "cancelled", image_id, error: "The generation was cancelled; no image was made." })
    // Every read says so, with the reason (docs/decisions.md#failures-kept).
    for (let read = 0; read < 2; read++) {
      expect(JSON.parse(env.text(await env.call("check_generation_status", { image_id })))).toEqual({
        status: "cancelled",
        image_id,
        error: "The generation was cancelled; no image was made.",
      })
    }
    expect(await env.services.images.count()).toBe(0)
  })

  test("unknown and finished ids get a clear message", async () => {
    await using env = await connect()
    const unknown = await env.call("cancel_generation", { image_id: "0123456789ab" })
    expect(unknown.isError).toBe(true)
    expect(env.text(unknown)).toBe(
      "No generation with id '0123456789ab' is known. Read image://list to see running generations.",
    )
    const { image_id } = JSON.parse(
      env.text(await env.call("generate_image", { prompt: "x", provider: "placeholder" })),
    )
    await env.services.jobs.idle()
    const finished = JSON.parse(env.text(await env.call("cancel_generation", { image_id })))
    expect(finished).toEqual({
      status: "completed",
      image_id,
      message: `Generation '${image_id}' has already completed; nothing to cancel.`,
    })
    expect(await env.services.images.get(image_id)).toBeDefined()
  })

  test("is a write tool, hidden in read-only mode", async () => {
    await using env = await connect({ env: { IMAGE_GENERATION_MCP_READ_ONLY: "true" } })
    expect((await env.client.listTools()).tools.map((t) => t.name)).not.toContain("cancel_generation")
  })
})

describe("progress notifications", () => {
  test("a caller with a progress token receives progress and the finished result", async () => {
    const reporting = createFakeProvider({
      name: "reporter",
      generate: async (request, signal, onProgress) => {
        for (const step of [1, 2, 3]) {
          await Bun.sleep(10)
          onProgress?.(step / 4, `Step ${step}/4`)
        }
        return createFakeProvider().generate(request, { signal })
      },
    })
    await using env = await connect({ deps: { extraProviders: [reporting] } })
    const seen: { progress: number; message?: string }[] = []
    const result = await env.client.callTool(
      { name: "generate_image", arguments: { prompt: "x", provider: "reporter" } },
      undefined,
      { onprogress: (p) => seen.push({ progress: p.progress, message: p.message }) },
    )
    const body = JSON.parse((result.content as { text: string }[])[0]?.text ?? "{}")
    expect(body.status).toBe("completed")
    expect(await env.services.images.get(body.image_id)).toBeDefined()
    expect(seen.map((s) => s.message)).toEqual(expect.arrayContaining(["Step 1/4", "Step 2/4", "Step 3/4"]))
    expect(seen[0]?.message).toContain(body.image_id)
    for (let i = 1; i < seen.length; i++) expect(seen[i]?.progress).toBeGreaterThan(seen[i - 1]?.progress ?? 0)
  })

  test("a waiting request that is dropped leaves the job running; its first progress message names the id", async () => {
    const { provider, state } = steppingProvider()
    await using env = await connect({ deps: { extraProviders: [provider] } })
    const abort = new AbortController()
    const messages: string[] = []
    const call = env.client
      .callTool({ name: "generate_image", arguments: { prompt: "x", provider: "stepper" } }, undefined, {
        signal: abort.signal,
        onprogress: (p) => messages.push(p.message ?? ""),
      })
      .catch((error: Error) => error)
    await waitFor(() => messages.length > 0, "the first progress message")
    abort.abort("user stopped waiting")
    expect(await call).toBeInstanceOf(Error)
    const [job] = await env.services.jobs.listUnfinished()
    expect(job?.status).toBe("generating")
    expect(messages[0]).toContain(job?.id ?? "missing")
    state.finish()
    await env.services.jobs.idle()
    expect(state.aborted).toBe(false)
    expect(await env.services.images.get(job?.id ?? "")).toBeDefined()
  })
})
