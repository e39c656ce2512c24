// Setup for the gallery's browser tests: everything goes through the real server's tools.
import { expect } from "bun:test"
import type { Frame, Locator } from "playwright-core"
import { rgbaPng } from "../fixture/images"
import type { McpTestEnv } from "../helpers/mcp"
import { waitForValue } from "../helpers/wait"
import type { OpenWidget, WidgetHost } from "./harness"

function json(env: McpTestEnv, result: Awaited<ReturnType<McpTestEnv["call"]>>): Record<string, unknown> {
  expect(result.isError).toBeFalsy()
  return JSON.parse(env.text(result))
}

/** Starts a generation through generate_image; returns its id without waiting. */
export async function startGeneration(env: McpTestEnv, prompt: string, provider = "placeholder"): Promise<string> {
  const body = json(env, await env.call("generate_image", { prompt, provider }))
  return String(body.image_id)
}

/** Polls check_generation_status until the job leaves "generating"; returns its final status. */
export function settle(env: McpTestEnv, id: string): Promise<Record<string, unknown>> {
  return waitForValue(async () => {
    const status = json(env, await env.call("check_generation_status", { image_id: id }))
    return status.status === "generating" ? undefined : status
  }, `generation ${id} to finish`)
}

/** Generates images with the placeholder provider, one after another (so the newest is the last prompt). */
export async function generate(env: McpTestEnv, prompts: string[]): Promise<string[]> {
  const ids: string[] = []
  for (const prompt of prompts) {
    const id = await startGeneration(env, prompt)
    expect((await settle(env, id)).status).toBe("completed")
    ids.push(id)
    // A later image gets a later creation time (millisecond resolution): the order never rests on a tie.
    await Bun.sleep(2)
  }
  return ids
}

/** A diagonal two-colour gradient PNG: distinct thumbnails for screenshots. */
export function gradientPng(width: number, height: number, from: number[], to: number[]): Uint8Array {
  const data = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x / width + y / height) / 2
      const i = (y * width + x) * 4
      for (let c = 0; c < 3; c++) data[i + c] = Math.round((from[c] ?? 0) * (1 - t) + (to[c] ?? 0) * t)
      data[i + 3] = 255
    }
  }
  return rgbaPng({ width, height, data })
}

/** Imports an image through ingest_base64_image; returns its id. */
export async function ingest(env: McpTestEnv, png: Uint8Array): Promise<string> {
  const result = await env.call("ingest_base64_image", { data: Buffer.from(png).toString("base64") })
  const text = env.text(result)
  const id = text.match(/image:\/\/([0-9a-f]{12})\/view/)?.[1]
  if (!id) throw new Error(`ingest failed: ${text}`)
  return id
}

/** Deletes every image through delete_image, so each test starts from an empty gallery. */
export async function clearGallery(env: McpTestEnv): Promise<void> {
  for (;;) {
    const page = json(env, await env.call("gallery_page", { page: 1, page_size: 24, origin: "all" }))
    const ids = (page.items as { image_id: string; status: string }[])
      .filter((item) => item.status === "completed")
      .map((item) => item.image_id)
    if (!ids.length) return
    for (const image_id of ids) expect((await env.call("delete_image", { image_id })).isError).toBeFalsy()
  }
}

/** The gallery_page calls the widget made since `from`. */
export function pageCalls(w: OpenWidget, from = 0): Record<string, unknown>[] {
  return w.events.toolCalls
    .slice(from)
    .filter((c) => c.name === "gallery_page")
    .map((c) => c.args as Record<string, unknown>)
}

export { waitFor as waitUntil } from "../helpers/wait"

/** The grid's image ids in order. */
export async function gridIds(frame: Frame): Promise<string[]> {
  return frame
    .locator(".state-grid .card")
    .evaluateAll((cards) => cards.map((c) => c.getAttribute("data-image-id") ?? ""))
}

/** Runs a JavaScript expression in the widget's frame (a string: the test code has no DOM types). */
export function evalIn<T>(frame: Frame, expression: string): Promise<T> {
  return frame.evaluate(expression) as Promise<T>
}

/** The focused element inside the widget: its focus key, else its accessible name or text; "body" when none. */
export function focused(frame: Frame): Promise<string> {
  return evalIn(
    frame,
    `(() => {
      const node = document.activeElement
      if (!node || node === document.body) return "body"
      return node.dataset.focusKey ?? node.getAttribute("aria-label") ?? node.textContent.trim()
    })()`,
  )
}

export const lightbox = (frame: Frame): Locator => frame.locator(".lightbox")

/** The id of the image the lightbox shows, or null when it is closed. */
export const lightboxId = (frame: Frame): Promise<string | null> =>
  evalIn(frame, `document.querySelector(".lightbox:not([hidden])")?.dataset.imageId ?? null`)

/** Waits until the lightbox shows `id` with its full image loaded. */
export async function waitForLightbox(frame: Frame, id: string): Promise<void> {
  await frame.locator(`.lightbox[data-image-id="${id}"] .lb-img[data-full="true"]`).waitFor()
}

/** Opens the gallery the way a host does after browse_gallery. */
export function openGallery(
  host: WidgetHost,
  opts: Partial<Parameters<WidgetHost["open"]>[1]> = {},
): Promise<OpenWidget> {
  return host.open("gallery", { tool: "browse_gallery", ...opts })
}

/** The ids on the grid once it shows. */
export async function shownGrid(w: OpenWidget): Promise<string[]> {
  await w.frame.locator(".state-grid:not([hidden])").waitFor()
  return gridIds(w.frame)
}
