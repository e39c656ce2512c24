// One ComfyUI, one prompt running at a time for everyone: cancel, time-out and progress must concern our prompt only,
// and a job must not depend on the WebSocket staying up.
import { describe, expect, test } from "bun:test"
import type { AppError } from "@/core/errors"
import { waitFor } from "../../helpers/wait"
import type { FakeComfyUi, PromptRecord } from "./fake"
import { live, rejection, request, useFake } from "./harness"

const { fake, comfy, replace } = useFake()

/** The prompt our provider queued (its client id starts with igm-). */
const ours = (f: FakeComfyUi = fake()): PromptRecord | undefined =>
  f.prompts().find((p) => p.clientId?.startsWith("igm-"))

function progressLog() {
  const seen: { fraction: number; message: string }[] = []
  return { seen, onProgress: (fraction: number, message: string) => seen.push({ fraction, message }) }
}

describe("comfyui progress", () => {
  test("queued, running, then every sampling step from the WebSocket, in order; binary previews are skipped", async () => {
    await replace({ previewMethod: "auto" }, { stepMs: 2 })
    const { seen, onProgress } = progressLog()
    await comfy().generate(request(), { signal: new AbortController().signal, onProgress })
    const messages = seen.map((p) => p.message)
    expect(messages[0]).toBe("Queued on ComfyUI")
    expect(messages).toContain("Running on ComfyUI")
    const steps = seen.filter((p) => p.message.startsWith("Step "))
    expect(steps.map((p) => p.message)).toEqual(Array.from({ length: 30 }, (_, i) => `Step ${i + 1}/30`))
    expect(steps.map((p) => p.fraction)).toEqual(Array.from({ length: 30 }, (_, i) => (i + 1) / 30))
    expect(fake().queue.previewFrames).toBe(30)
  })

  test("a ComfyUI before 0.3.45 picks its own prompt_id: the messages are followed under that id", async () => {
    await replace({ legacy: true }, { stepMs: 2 })
    const { seen, onProgress } = progressLog()
    const result = await comfy().generate(request(), { signal: new AbortController().signal, onProgress })
    expect(result.metadata.prompt_id).toBe(ours()?.promptId)
    expect(seen.filter((p) => p.message.startsWith("Step ")).length).toBe(30)
  })
})

describe("comfyui cancel and time-out touch only our prompt", () => {
  test("queued: removed from the queue; the prompt running for someone else goes on", async () => {
    const other = await fake().otherClient({ holdAtStep: 1 })
    const provider = comfy()
    const controller = new AbortController()
    const reason = new Error("cancelled by the user")
    const pending = rejection(provider.generate(request(), { signal: controller.signal }))
    await waitFor(() => ours()?.status === "pending", "our prompt queued")
    controller.abort(reason)
    expect(await pending).toBe(reason)
    await waitFor(() => ours()?.status === "deleted", "our prompt removed from the queue")
    await provider.idle()
    expect(fake().interrupts).toEqual([])
    other.release()
    await waitFor(() => fake().prompt(other.promptId)?.status === "success", "the other prompt finished")
  })

  test("running: interrupted by its prompt_id", async () => {
    fake().set({ stepMs: 15 })
    const provider = comfy()
    const controller = new AbortController()
    const onProgress = (_: number, message: string) => {
      if (message === "Step 2/30") controller.abort(new Error("stop"))
    }
    await rejection(provider.generate(request(), { signal: controller.signal, onProgress }))
    await provider.idle()
    const id = ours()?.promptId
    expect(fake().interrupts).toEqual([{ promptId: id ?? "", running: id ?? "", applied: true }])
    await waitFor(() => ours()?.status === "interrupted", "our prompt interrupted")
    expect(ours()?.stepsDone).toBeLessThan(30)
  })

  test("a legacy ComfyUI (global interrupt): a cancel while someone else's prompt runs never interrupts it", async () => {
    await replace({ legacy: true })
    const other = await fake().otherClient({ holdAtStep: 1 })
    const provider = comfy()
    const controller = new AbortController()
    const pending = rejection(provider.generate(request(), { signal: controller.signal }))
    await waitFor(() => ours()?.status === "pending", "our prompt queued")
    controller.abort(new Error("stop"))
    await pending
    await provider.idle()
    expect(ours()?.status).toBe("deleted")
    expect(fake().interrupts).toEqual([])
    other.release()
    await waitFor(() => fake().prompt(other.promptId)?.status === "success", "the other prompt finished unharmed")
  })

  test("the time-out counts from when our prompt starts: time spent waiting in the queue does not count", async () => {
    const other = await fake().otherClient({ holdAtStep: 0 })
    const provider = comfy({ timeoutMs: 150 })
    const result = provider.generate(request(), live())
    await waitFor(() => ours()?.status === "pending", "our prompt queued")
    await Bun.sleep(400)
    other.release()
    expect((await result).contentType).toBe("image/png")
    expect(ours()?.status).toBe("success")
  })

  test("a prompt that runs too long is interrupted and fails naming the setting", async () => {
    fake().hangNext()
    const provider = comfy({ timeoutMs: 100 })
    const error = await rejection(provider.generate(request(), live()))
    expect((error as AppError).kind).toBe("unavailable")
    expect((error as Error).message).toContain(
      "ComfyUI prompt timed out: it ran for more than 0.1s (IMAGE_GENERATION_MCP_COMFYUI_TIMEOUT_S) and was interrupted on ComfyUI",
    )
    expect(fake().interrupts).toEqual([expect.objectContaining({ promptId: ours()?.promptId, applied: true })])
  })
})

describe("comfyui without a (working) WebSocket", () => {
  test("a socket dropped mid-prompt: the job carries on by polling /history and gets its image", async () => {
    fake().set({ stepMs: 5 })
    const provider = comfy()
    let dropped = false
    const onProgress = (_: number, message: string) => {
      if (message === "Step 3/30" && !dropped) {
        dropped = true
        fake().dropSockets()
      }
    }
    const result = await provider.generate(request({ seed: 11 }), { signal: new AbortController().signal, onProgress })
    expect(dropped).toBe(true)
    expect(result.metadata.seed).toBe(11)
    expect(ours()?.status).toBe("success")
    expect(fake().calls(`/history/${ours()?.promptId}`).length).toBeGreaterThan(0)
  })

  test("a proxy that does not pass WebSocket upgrades: the prompt is followed through /queue and /history", async () => {
    fake().refuseSockets(true)
    fake().set({ stepMs: 2 })
    const { seen, onProgress } = progressLog()
    const result = await comfy().generate(request(), { signal: new AbortController().signal, onProgress })
    expect(result.contentType).toBe("image/png")
    expect(seen.map((p) => p.message)).toContain("Running on ComfyUI")
    expect(fake().sockets()).toEqual([])
  })

  test("the history is written after execution_success (ComfyUI's worker and message loop are separate): still read", async () => {
    fake().set({ historyLagMs: 80 })
    expect((await comfy().generate(request(), live())).contentType).toBe("image/png")
  })

  test("our prompt removed from the queue by someone else fails clearly, without waiting for a time-out", async () => {
    const other = await fake().otherClient({ holdAtStep: 0 })
    const pending = rejection(comfy().generate(request(), live()))
    await waitFor(() => ours()?.status === "pending", "our prompt queued")
    await fetch(`${fake().url}/queue`, { method: "POST", body: JSON.stringify({ delete: [ours()?.promptId] }) })
    const error = await pending
    expect((error as AppError).code).toBe("removed_from_queue")
    other.release()
  })

  test("an interrupt from someone else (ComfyUI's own page) fails the job as interrupted upstream", async () => {
    fake().set({ stepMs: 10 })
    const onProgress = (_: number, message: string) => {
      if (message === "Step 2/30") void fetch(`${fake().url}/interrupt`, { method: "POST" })
    }
    const error = await rejection(comfy().generate(request(), { signal: new AbortController().signal, onProgress }))
    expect((error as AppError).code).toBe("interrupted_upstream")
    expect((error as Error).message).toContain("interrupted before it finished")
  })
})
