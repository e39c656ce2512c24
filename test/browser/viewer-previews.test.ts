import { afterAll, afterEach, beforeAll, expect, test } from "bun:test"
import { solidPng } from "@/providers/solid-png"
import { createFakeProvider, gate } from "../fixture/fake-provider"
import { waitFor } from "../helpers/wait"
import { describeBrowser, type OpenWidget, startWidgetHost, type WidgetHost } from "./harness"

type Rgb = [number, number, number]
const RED: Rgb = [220, 30, 30]
const GREEN: Rgb = [30, 200, 60]
const BLUE: Rgb = [20, 40, 220]

/** The steps of the current test's generation: a first preview, a second one when `next` opens, done at `finish`. */
let steps = { next: gate(), finish: gate() }

const previewer = createFakeProvider({
  name: "previewer",
  generate: async (_request, signal, onProgress, onPreview) => {
    const stopped = new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)))
    onProgress?.(0.3, "Step 6/20")
    onPreview?.({ data: solidPng(64, 48, RED), contentType: "image/png" })
    await Promise.race([steps.next.promise, stopped])
    onProgress?.(0.6, "Step 12/20")
    const webp = await new Bun.Image(solidPng(64, 48, GREEN)).webp({ lossless: true }).bytes()
    onPreview?.({ data: webp, contentType: "image/webp" })
    await Promise.race([steps.finish.promise, stopped])
    return { data: solidPng(64, 48, BLUE), contentType: "image/png", metadata: {} }
  },
})

/** The drawn preview's number and the colour of its first pixel, once its image has loaded. */
async function drawn(w: OpenWidget, number: number): Promise<number[]> {
  await w.frame.locator(`img.live-preview[data-preview-number="${number}"]`).waitFor()
  await waitFor(
    () => w.frame.evaluate(`document.querySelector("img.live-preview").naturalWidth > 0`) as Promise<boolean>,
    "the preview to load",
  )
  return w.frame.evaluate(`(() => {
    const img = document.querySelector("img.live-preview")
    const canvas = document.createElement("canvas")
    canvas.width = img.naturalWidth
    canvas.height = img.naturalHeight
    const ctx = canvas.getContext("2d")
    ctx.drawImage(img, 0, 0)
    return [...ctx.getImageData(1, 1, 1, 1).data.slice(0, 3)]
  })()`) as Promise<number[]>
}

const near = (actual: number[], expected: number[]) => actual.every((v, i) => Math.abs(v - (expected[i] ?? 0)) <= 2)

describeBrowser("image viewer: live previews", () => {
  let host: WidgetHost

  beforeAll(async () => {
    host = await startWidgetHost({ deps: { extraProviders: [previewer] } })
  })
  afterAll(async () => {
    steps.next.resolve()
    steps.finish.resolve()
    await host?.close()
  })
  afterEach(async () => {
    steps.next.resolve()
    steps.finish.resolve()
    await host.env.services.jobs.idle()
    await host?.closePages()
  })

  const start = async () => {
    steps = { next: gate(), finish: gate() }
    const started = await host.env.call("generate_image", { prompt: "a fox taking shape", provider: "previewer" })
    return JSON.parse(host.env.text(started)).image_id as string
  }

  test("draws each new preview while generating, read through the read_resource tool, then the final image", async () => {
    const image_id = await start()
    const w = await host.open("viewer", { tool: "check_generation_status", args: { image_id } })
    await w.frame.locator('[data-state="generating"]').waitFor()
    expect(near(await drawn(w, 1), RED)).toBe(true)
    expect(await w.frame.locator("img.live-preview").getAttribute("alt")).toBe(
      "Live preview of the image being generated",
    )
    const uri = `image://${image_id}/live-preview`
    expect(w.events.toolCalls).toContainEqual({ name: "read_resource", args: { uri } })
    steps.next.resolve()
    expect(near(await drawn(w, 2), GREEN)).toBe(true)
    expect(await w.frame.locator(".status-detail").textContent()).toBe("Step 12/20")
    await w.screenshot("viewer-live-preview")
    const reads = w.events.toolCalls.filter((c) => c.name === "read_resource").length
    await w.settled(2500)
    // Polls that name the same preview do not read it again.
    expect(w.events.toolCalls.filter((c) => c.name === "read_resource").length).toBe(reads)
    steps.finish.resolve()
    await w.frame.locator('[data-state="completed"]').waitFor()
    expect(await w.frame.locator("img.live-preview").count()).toBe(0)
    expect(w.consoleMessages).toEqual([])
  })

  test("a host that proxies resource reads serves the preview without a tool call", async () => {
    const image_id = await start()
    const w = await host.open("viewer", {
      tool: "check_generation_status",
      args: { image_id },
      capabilities: { serverResources: true },
    })
    expect(near(await drawn(w, 1), RED)).toBe(true)
    expect(w.events.resourceReads).toEqual([`image://${image_id}/live-preview`])
    expect(w.events.toolCalls.some((c) => c.name === "read_resource")).toBe(false)
  })

  test("a generation without previews shows none; a cancelled one takes its preview away", async () => {
    const placeholder = JSON.parse(
      host.env.text(await host.env.call("generate_image", { prompt: "plain", provider: "placeholder" })),
    ).image_id
    await host.env.services.jobs.idle()
    const plain = await host.open("viewer", { tool: "check_generation_status", args: { image_id: placeholder } })
    await plain.frame.locator('[data-state="completed"]').waitFor()
    expect(await plain.frame.locator("img.live-preview").count()).toBe(0)

    const image_id = await start()
    const w = await host.open("viewer", { tool: "check_generation_status", args: { image_id } })
    await drawn(w, 1)
    await host.env.call("cancel_generation", { image_id })
    await w.frame.locator('[data-state="cancelled"]').waitFor()
    expect(await w.frame.locator("img.live-preview").count()).toBe(0)
  })
})
