import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test"
import type { Services } from "@/core/services"
import { readPixels } from "@/core/transform/pixels"
import { ProviderError } from "@/providers/errors"
import { createFakeProvider, gate } from "../fixture/fake-provider"
import { quadrantPng } from "../fixture/images"
import { addImage } from "../helpers/gallery"
import { waitFor } from "../helpers/wait"
import { describeBrowser, type OpenWidget, startWidgetHost, type WidgetHost } from "./harness"

const BASE_URL = "http://127.0.0.1:9"
const RED = [255, 0, 0, 255]
const GREEN = [0, 255, 0, 255]
const BLUE = [0, 0, 255, 255]
const WHITE = [255, 255, 255, 255]

/** A generation held open until `release()`, reporting progress first. */
const hold = gate()
const slow = createFakeProvider({
  name: "slow",
  generate: async (request, signal, onProgress) => {
    onProgress?.(0.4, "Sampling 8/20")
    await Promise.race([hold.promise, new Promise((_, reject) => signal.addEventListener("abort", reject))])
    return createFakeProvider().generate(request, { signal })
  },
})
// A provider error the service reported; a plain Error would be an internal one, reported without its text.
const broken = createFakeProvider({
  name: "broken",
  generate: () => Promise.reject(new ProviderError("broken", "upstream exploded")),
})

const state = (w: OpenWidget, name: string) => w.frame.locator(`[data-state="${name}"]`).waitFor()
const text = async (w: OpenWidget, selector: string) => (await w.frame.locator(selector).textContent())?.trim()
const evaluate = <T>(w: OpenWidget, expression: string) => w.frame.evaluate(expression) as Promise<T>

/** Waits until `check` holds (the widget answers asynchronously). */
const until = (check: () => boolean) => waitFor(check, "the widget")

/** Size and corner colours (top-left, top-right, bottom-left, bottom-right) of a stored image. */
async function stored(services: Services, id: string) {
  const record = await services.images.require(id)
  const pixels = await readPixels(new Bun.Image(await services.images.readOriginal(record)))
  const at = (x: number, y: number) => [
    ...pixels.data.subarray((y * pixels.width + x) * 4, (y * pixels.width + x) * 4 + 4),
  ]
  const [w, h] = [pixels.width - 1, pixels.height - 1]
  return { record, size: [pixels.width, pixels.height], corners: [at(0, 0), at(w, 0), at(0, h), at(w, h)] }
}

/** The new image's id from the widget's _save_edited_image call, once the saved image is shown. */
async function savedId(w: OpenWidget): Promise<string> {
  await w.frame.locator('[data-badge="edited"]').waitFor()
  const show = w.events.toolCalls.findLast((c) => c.name === "show_image")
  const uri = String((show?.args as { uri?: string } | undefined)?.uri)
  return String(uri.match(/^image:\/\/([0-9a-f]{12})/)?.[1])
}

describeBrowser("image viewer widget", () => {
  let host: WidgetHost
  let quadrantId: string

  beforeAll(async () => {
    host = await startWidgetHost({
      env: { IMAGE_GENERATION_MCP_BASE_URL: BASE_URL },
      deps: { extraProviders: [slow, broken] },
    })
    const record = await addImage(host.env.services, quadrantPng(96, 64), {
      prompt: "four coloured squares",
      providerMetadata: { model: "quad-1" },
    })
    quadrantId = record.id
  })
  afterAll(async () => {
    hold.resolve()
    await host?.close()
  })
  afterEach(async () => {
    await host?.closePages()
  })

  describe("states", () => {
    test("waiting: only the tool input has arrived", async () => {
      const w = await host.open("viewer", {
        tool: "show_image",
        args: { uri: "image://0123456789ab/view" },
        deliver: "input-only",
      })
      await state(w, "waiting")
      expect(await text(w, "[data-state]")).toBe("Waiting for image…")
      await w.screenshot("viewer-waiting")
    })

    test("generating: progress from the job, then the image once it completes", async () => {
      const { image_id } = JSON.parse(
        host.env.text(await host.env.call("generate_image", { prompt: "a slow fox", provider: "slow" })),
      )
      const w = await host.open("viewer", { tool: "check_generation_status", args: { image_id } })
      await state(w, "generating")
      expect(await text(w, ".status-label")).toMatch(/^Generating \(\d+s\)$/)
      expect(await text(w, ".status-detail")).toBe("Sampling 8/20")
      expect(await w.frame.locator('[role="progressbar"]').getAttribute("aria-valuenow")).toBe("40")
      expect(await w.frame.locator(".progress-bar").getAttribute("style")).toBe("width:40%")
      await w.screenshot("viewer-generating")
      hold.resolve()
      await state(w, "completed")
      expect(await text(w, ".prompt")).toBe("“a slow fox”")
      const names = w.events.toolCalls.map((c) => c.name)
      expect(names).toContain("check_generation_status")
      expect(names.at(-1)).toBe("show_image")
    })

    test("failed: the job's error is shown", async () => {
      const { image_id } = JSON.parse(
        host.env.text(await host.env.call("generate_image", { prompt: "x", provider: "broken" })),
      )
      await host.env.services.jobs.idle()
      const w = await host.open("viewer", { tool: "check_generation_status", args: { image_id } })
      await state(w, "failed")
      expect(await text(w, ".status-title")).toBe("Generation failed")
      expect(await text(w, ".status-detail")).toContain("upstream exploded")
      await w.screenshot("viewer-failed")
    })

    test("an unknown image is an error, not a spinner", async () => {
      const w = await host.open("viewer", { tool: "show_image", args: { uri: "image://0123456789ab/view" } })
      await state(w, "failed")
      expect(await text(w, ".status-detail")).toContain("Image '0123456789ab' not found")
    })

    test("cancelled: the host's reason is shown", async () => {
      const w = await host.open("viewer", {
        tool: "show_image",
        args: { uri: `image://${quadrantId}/view` },
        deliver: "cancelled",
        cancelReason: "stopped by the user",
        freshContext: true,
      })
      await state(w, "cancelled")
      expect(await text(w, "[data-state]")).toBe("Cancelled: stopped by the user")
      await w.screenshot("viewer-cancelled")
    })

    test("completed: image, prompt, metadata line, host theme and safe-area insets", async () => {
      const w = await host.open("viewer", {
        tool: "show_image",
        args: { uri: `image://${quadrantId}/view` },
        hostContext: { theme: "dark", safeAreaInsets: { top: 10, right: 0, bottom: 4, left: 6 } },
        capabilities: { downloadFile: true },
      })
      await state(w, "completed")
      const size = (await host.env.services.images.require(quadrantId)).originalSizeBytes
      expect(await text(w, ".prompt")).toBe("“four coloured squares”")
      expect(await text(w, ".details")).toBe(`placeholder (quad-1) · 96×64 · ${(size / 1024).toFixed(1)} KB`)
      expect(await w.frame.locator("img.image").getAttribute("alt")).toBe("four coloured squares")
      expect(await w.frame.locator("img.image").getAttribute("src")).toStartWith("data:image/webp;base64,")
      expect(await w.frame.locator("html").getAttribute("data-theme")).toBe("dark")
      expect(await evaluate(w, "getComputedStyle(document.getElementById('main')).paddingTop")).toBe("18px")
      expect(await evaluate(w, "getComputedStyle(document.getElementById('main')).paddingLeft")).toBe("14px")
      expect(w.events.sizes.at(-1)).toBeGreaterThan(64)
      // Nothing was blocked by the strict CSP and nothing went wrong.
      expect(w.consoleMessages).toEqual([])
      await w.setHostContext({ theme: "light", safeAreaInsets: { top: 0, right: 0, bottom: 0, left: 0 } })
      await w.frame.locator('html[data-theme="light"]').waitFor()
      expect(await evaluate(w, "getComputedStyle(document.getElementById('main')).paddingTop")).toBe("8px")
      await w.setHostContext({ theme: "dark", safeAreaInsets: { top: 10, right: 0, bottom: 4, left: 6 } })
      await w.frame.locator('html[data-theme="dark"]').waitFor()
      await w.screenshot("viewer-completed")
    })

    test("sizes: height only (auto-resize off), after the image loads and after the host changes the insets", async () => {
      const w = await host.open("viewer", { tool: "show_image", args: { uri: `image://${quadrantId}/view` } })
      await state(w, "completed")
      await evaluate(w, "document.querySelector('img.image').decode()")
      const height = () => evaluate<number>(w, "document.getElementById('main').scrollHeight")
      const first = await height()
      // The image (96×64) is part of the reported height.
      expect(first).toBeGreaterThan(64 + 16)
      await until(() => w.events.sizes.at(-1) === first)
      expect(w.events.widths).toEqual([])
      await w.setHostContext({ safeAreaInsets: { top: 30, right: 0, bottom: 10, left: 0 } })
      await until(() => w.events.sizes.at(-1) === first + 40)
      expect(await height()).toBe(first + 40)
    })

    test("host style variables and fonts are applied", async () => {
      const w = await host.open("viewer", {
        tool: "show_image",
        args: { uri: "image://0123456789ab/view" },
        deliver: "input-only",
        hostContext: {
          styles: {
            variables: { "--color-text-primary": "rgb(1, 2, 3)", "--font-sans": "HostSans, serif" },
            css: { fonts: "@font-face { font-family: HostSans; src: local(Arial); }" },
          },
        },
      })
      await state(w, "waiting")
      const body = await evaluate<string[]>(
        w,
        "[getComputedStyle(document.body).color, getComputedStyle(document.body).fontFamily]",
      )
      expect(body).toEqual(["rgb(1, 2, 3)", "HostSans, serif"])
      expect(
        await evaluate<string>(w, "[...document.querySelectorAll('style')].map((s) => s.textContent).join('')"),
      ).toContain("font-family: HostSans")
    })

    test("completed images are cached: reopening shows one before any result", async () => {
      const first = await host.open("viewer", { tool: "show_image", args: { uri: `image://${quadrantId}/view` } })
      await state(first, "completed")
      const w = await host.open("viewer", {
        tool: "show_image",
        args: { uri: `image://${quadrantId}/view` },
        deliver: "input-only",
      })
      await state(w, "completed")
      expect(await text(w, ".prompt")).toBe("“four coloured squares”")
      const keys = await evaluate<string[]>(w, "Object.keys(localStorage).filter((k) => k.startsWith('imgview:'))")
      expect(keys).toContain(`imgview:${quadrantId}`)
    })
  })

  describe("editor", () => {
    const openEditor = async (width?: number) => {
      const w = await host.open("viewer", { tool: "edit_image", args: { image_id: quadrantId }, width })
      await state(w, "editing")
      await w.frame.locator("canvas").waitFor()
      await w.frame.getByText("Whole image 96 × 64 px").waitFor()
      return w
    }
    /** RGBA at a fraction of the preview canvas. */
    const previewPixel = (w: OpenWidget, fx: number, fy: number) =>
      evaluate<number[]>(
        w,
        `(() => { const c = document.querySelector("canvas"); return Array.from(c.getContext("2d").getImageData(Math.floor(c.width * ${fx}), Math.floor(c.height * ${fy}), 1, 1).data) })()`,
      )

    test("rotate clockwise, then save: clockwise in the preview and in the stored image", async () => {
      const w = await openEditor()
      await w.screenshot("viewer-editing")
      await w.frame.getByRole("button", { name: "Rotate clockwise" }).click()
      expect(await w.frame.locator("canvas").getAttribute("data-rotate")).toBe("90")
      expect(await previewPixel(w, 0.1, 0.1)).toEqual(BLUE)
      expect(await previewPixel(w, 0.9, 0.1)).toEqual(RED)
      expect(await previewPixel(w, 0.1, 0.9)).toEqual(WHITE)
      expect(await previewPixel(w, 0.9, 0.9)).toEqual(GREEN)
      await w.frame.getByRole("button", { name: "Save as new image" }).click()
      const id = await savedId(w)
      const save = w.events.toolCalls.find((c) => c.name === "_save_edited_image")
      expect(save?.args).toEqual({ source_image_id: quadrantId, rotate: 90 })
      const saved = await stored(host.env.services, id)
      expect(saved.size).toEqual([64, 96])
      expect(saved.corners).toEqual([BLUE, RED, WHITE, GREEN])
      expect(saved.record.sourceImageIds).toEqual([quadrantId])
      expect(await text(w, '[data-badge="edited"]')).toBe(`Edited from ${quadrantId}`)
      expect(await text(w, ".details")).toContain("64×96")
      await w.screenshot("viewer-edited")
    })

    test("rotating counter-clockwise twice and clockwise twice cancels out; flips and 1:1 crop are saved", async () => {
      const w = await openEditor()
      for (const name of [
        "Rotate counter-clockwise",
        "Rotate counter-clockwise",
        "Rotate clockwise",
        "Rotate clockwise",
      ]) {
        await w.frame.getByRole("button", { name }).click()
      }
      expect(await w.frame.locator("canvas").getAttribute("data-rotate")).toBe("0")
      await w.frame.getByLabel("Aspect ratio").selectOption({ label: "1:1" })
      await w.frame.getByRole("button", { name: "Flip horizontally" }).click()
      expect(await w.frame.getByRole("button", { name: "Flip horizontally" }).getAttribute("aria-pressed")).toBe("true")
      expect(await previewPixel(w, 0.1, 0.1)).toEqual(GREEN)
      await w.frame.getByText("Crop 64 × 64 px · flipped horizontally").waitFor()
      await w.frame.getByRole("button", { name: "Save as new image" }).click()
      const saved = await stored(host.env.services, await savedId(w))
      const save = w.events.toolCalls.find((c) => c.name === "_save_edited_image")
      expect(save?.args).toEqual({
        source_image_id: quadrantId,
        crop: { x: 16, y: 0, w: 64, h: 64 },
        flip_horizontal: true,
      })
      expect(saved.size).toEqual([64, 64])
      expect(saved.corners).toEqual([GREEN, RED, WHITE, BLUE])
    })

    test("the crop box moves and resizes with the keyboard; the saved crop matches", async () => {
      const w = await openEditor()
      const box = w.frame.getByRole("group", { name: "Crop area" })
      await box.focus()
      for (let i = 0; i < 5; i++) await box.press("Shift+ArrowLeft")
      for (let i = 0; i < 3; i++) await box.press("Shift+ArrowUp")
      for (let i = 0; i < 2; i++) await box.press("ArrowRight")
      await box.press("ArrowDown")
      // Steps are 1/50 of the shorter side (64 px → 1 px): 5 narrower, 3 shorter, moved 2 right and 1 down.
      await w.frame.getByText("Crop 91 × 61 px").waitFor()
      await w.frame.getByRole("button", { name: "Save as new image" }).click()
      const saved = await stored(host.env.services, await savedId(w))
      expect(w.events.toolCalls.find((c) => c.name === "_save_edited_image")?.args).toEqual({
        source_image_id: quadrantId,
        crop: { x: 2, y: 1, w: 91, h: 61 },
      })
      expect(saved.size).toEqual([91, 61])
    })

    test("dragging a corner crops; Reset restores the whole image", async () => {
      const w = await openEditor()
      const canvas = await w.frame.locator("canvas").boundingBox()
      const handle = await w.frame.locator(".handle-se").boundingBox()
      if (!canvas || !handle) throw new Error("editor not laid out")
      // The preview is scaled to the stage; move the corner by 40 × 24 image pixels.
      const scale = canvas.width / 96
      expect(canvas.height / 64).toBeCloseTo(scale, 1)
      const [x, y] = [handle.x + handle.width / 2, handle.y + handle.height / 2]
      await w.page.mouse.move(x, y)
      await w.page.mouse.down()
      await w.page.mouse.move(x - 40 * scale, y - 24 * scale, { steps: 4 })
      await w.page.mouse.up()
      await w.frame.getByText("Crop 56 × 40 px").waitFor()
      const body = w.frame.getByRole("group", { name: "Crop area" })
      const inside = await body.boundingBox()
      if (!inside) throw new Error("no crop box")
      await w.page.mouse.move(inside.x + 20, inside.y + 20)
      await w.page.mouse.down()
      await w.page.mouse.move(inside.x + 20 + canvas.width, inside.y + 20 + canvas.height, { steps: 4 })
      await w.page.mouse.up()
      await w.frame.getByText("Crop 56 × 40 px").waitFor()
      // Dragged past the corner: the box stops at the image's edges.
      expect(await body.getAttribute("style")).toContain("left: 41.6667%; top: 37.5%")
      await w.frame.getByRole("button", { name: "Reset" }).click()
      await w.frame.getByText("Whole image 96 × 64 px").waitFor()
    })

    test("Cancel leaves the editor without saving and shows the image", async () => {
      const w = await openEditor()
      await w.frame.getByRole("button", { name: "Rotate clockwise" }).click()
      await w.frame.getByRole("button", { name: "Cancel" }).click()
      await state(w, "completed")
      expect(await text(w, ".prompt")).toBe("“four coloured squares”")
      expect(w.events.toolCalls.map((c) => c.name)).not.toContain("_save_edited_image")
    })

    test("a save the server refuses is reported, and the editor stays usable", async () => {
      const w = await openEditor()
      await w.frame.getByRole("button", { name: "Save as new image" }).click()
      await until(() => w.dialogs.length > 0)
      expect(w.dialogs).toEqual([
        "Save failed: The edit changes nothing (no crop, rotation or flip, or they cancel out); nothing was saved.",
      ])
      expect(await w.frame.getByRole("button", { name: "Save as new image" }).isEnabled()).toBe(true)
      await state(w, "editing")
    })

    test("where the sandbox ignores alert(), the problem is shown inside the widget", async () => {
      const w = await host.open("viewer", { tool: "edit_image", args: { image_id: quadrantId }, modals: false })
      await state(w, "editing")
      await w.frame.getByText("Whole image 96 × 64 px").waitFor()
      await w.frame.getByRole("button", { name: "Save as new image" }).click()
      const notice = w.frame.locator(".notice[role=alert]")
      await notice.waitFor()
      expect(await text(w, ".notice > span")).toStartWith("Save failed: The edit changes nothing")
      expect(w.dialogs).toEqual([])
      await w.screenshot("viewer-notice")
      await w.frame.getByRole("button", { name: "Dismiss" }).click()
      expect(await notice.count()).toBe(0)
    })

    test("the Edit button opens the editor from a shown image", async () => {
      const w = await host.open("viewer", { tool: "show_image", args: { uri: `image://${quadrantId}/view` } })
      await w.frame.getByRole("button", { name: "Edit image" }).click()
      await state(w, "editing")
      expect(w.events.toolCalls.map((c) => c.name)).toEqual(["edit_image"])
    })
  })

  describe("download", () => {
    const show = (opts: { capabilities: { downloadFile?: boolean; openLinks?: boolean }; failDownloads?: boolean }) =>
      host.open("viewer", { tool: "show_image", args: { uri: `image://${quadrantId}/view` }, ...opts })

    test("downloadFile hosts get a resource link to the original", async () => {
      const w = await show({ capabilities: { downloadFile: true, openLinks: true } })
      await w.frame.getByRole("button", { name: "Download image" }).click()
      await until(() => w.events.downloads.length > 0)
      expect(w.events.downloads).toEqual([
        {
          contents: [
            {
              type: "resource_link",
              uri: `image://${quadrantId}/view`,
              name: `${quadrantId}.png`,
              mimeType: "image/png",
            },
          ],
        },
      ])
      expect(w.events.openedLinks).toEqual([])
    })

    test("openLink hosts get a one-time link from create_download_link", async () => {
      const w = await show({ capabilities: { openLinks: true } })
      await w.frame.getByRole("button", { name: "Download image" }).click()
      await until(() => w.events.openedLinks.length > 0)
      expect(w.events.toolCalls).toEqual([
        { name: "create_download_link", args: { ref: `image://${quadrantId}/view` } },
      ])
      expect(w.events.openedLinks[0]).toMatch(new RegExp(`^${BASE_URL}/transfer/[A-Za-z0-9_-]{43}$`))
      expect(w.events.downloads).toEqual([])
    })

    test("when downloadFile fails, the viewer falls back to a download link", async () => {
      const w = await show({ capabilities: { downloadFile: true, openLinks: true }, failDownloads: true })
      await w.frame.getByRole("button", { name: "Download image" }).click()
      await until(() => w.events.openedLinks.length > 0)
      expect(w.events.downloads).toHaveLength(1)
      expect(w.events.toolCalls.map((c) => c.name)).toEqual(["create_download_link"])
    })

    test("a failed download alerts the user; without either capability there is no button", async () => {
      const w = await show({ capabilities: { openLinks: true } })
      const other = await addImage(host.env.services, quadrantPng(8, 8), { prompt: "short-lived" })
      const gone = await host.open("viewer", {
        tool: "show_image",
        args: { uri: `image://${other.id}/view` },
        capabilities: { openLinks: true },
      })
      await host.env.call("delete_image", { image_id: other.id })
      await gone.frame.getByRole("button", { name: "Download image" }).click()
      await until(() => gone.dialogs.length > 0)
      expect(gone.dialogs).toEqual(["Download failed — please try again."])
      expect(await text(gone, '[role="alert"].notice')).toStartWith("Download failed — please try again.")
      expect(gone.events.openedLinks).toEqual([])
      await state(w, "completed")
      const none = await show({ capabilities: {} })
      await state(none, "completed")
      expect(await none.frame.getByRole("button", { name: "Download image" }).count()).toBe(0)
    })
  })

  describe("accessibility and small screens", () => {
    /** Tabs through the widget and names each focused control. */
    const tabOrder = async (w: OpenWidget, presses: number) => {
      const names: string[] = []
      for (let i = 0; i < presses; i++) {
        await w.page.keyboard.press("Tab")
        names.push(
          await evaluate<string>(
            w,
            `(() => { const e = document.activeElement; return e?.getAttribute("aria-label") || e?.textContent?.trim() || e?.tagName })()`,
          ),
        )
      }
      return names
    }

    test("every editor control is reachable with Tab, labelled, and shows a focus ring", async () => {
      const w = await host.open("viewer", { tool: "edit_image", args: { image_id: quadrantId } })
      await state(w, "editing")
      await w.frame.locator("body").click({ position: { x: 1, y: 1 } })
      const order = await tabOrder(w, 9)
      expect(order).toEqual([
        "Aspect ratio",
        "Rotate counter-clockwise",
        "Rotate clockwise",
        "Flip horizontally",
        "Flip vertically",
        "Reset",
        "Crop area",
        "Cancel",
        "Save as new image",
      ])
      const outline = await evaluate<string>(w, "getComputedStyle(document.activeElement).outlineStyle")
      expect(outline).toBe("solid")
    })

    test("the completed view's buttons are reachable and labelled", async () => {
      const w = await host.open("viewer", {
        tool: "show_image",
        args: { uri: `image://${quadrantId}/view` },
        capabilities: { downloadFile: true },
      })
      await state(w, "completed")
      await w.frame.locator("body").click({ position: { x: 1, y: 1 } })
      expect(await tabOrder(w, 2)).toEqual(["Edit image", "Download image"])
    })

    test("keyboard focus follows into the editor and back, instead of dropping to the page", async () => {
      const w = await host.open("viewer", { tool: "show_image", args: { uri: `image://${quadrantId}/view` } })
      await state(w, "completed")
      const focusedName = () =>
        evaluate<string>(w, `document.activeElement?.getAttribute("aria-label") || document.activeElement?.tagName`)
      await w.frame.getByRole("button", { name: "Edit image" }).press("Enter")
      await state(w, "editing")
      expect(await focusedName()).toBe("Aspect ratio")
      await w.frame.getByRole("button", { name: "Cancel" }).press("Enter")
      await state(w, "completed")
      expect(await focusedName()).toBe("Edit image")
      // A save the server refuses leaves focus on Save; a save that works lands on the new image's first button.
      await w.frame.getByRole("button", { name: "Edit image" }).press("Enter")
      await state(w, "editing")
      await w.frame.getByRole("button", { name: "Save as new image" }).press("Enter")
      await until(() => w.dialogs.length > 0)
      await w.frame.locator('[data-action="save"]:enabled').waitFor()
      expect(await evaluate<string>(w, "document.activeElement.dataset.action")).toBe("save")
      await w.frame.getByRole("button", { name: "Flip vertically" }).press("Enter")
      await w.frame.getByRole("button", { name: "Save as new image" }).press("Enter")
      await w.frame.locator('[data-badge="edited"]').waitFor()
      expect(await focusedName()).toBe("Edit image")
      // A state the host pushes does not steal focus that is outside the widget.
      await evaluate(w, "document.activeElement.blur()")
      await w.sendToolResult(await host.env.call("show_image", { uri: `image://${quadrantId}/view` }))
      await state(w, "completed")
      expect(await focusedName()).toBe("BODY")
    })

    test("at 320 px wide nothing overflows, in the viewer and the editor", async () => {
      const w = await host.open("viewer", {
        tool: "show_image",
        args: { uri: `image://${quadrantId}/view` },
        width: 320,
        capabilities: { downloadFile: true },
      })
      await state(w, "completed")
      expect(await evaluate<number>(w, "document.documentElement.scrollWidth")).toBeLessThanOrEqual(320)
      await w.screenshot("viewer-320")
      await w.frame.getByRole("button", { name: "Edit image" }).click()
      await state(w, "editing")
      await w.frame.getByText("Whole image 96 × 64 px").waitFor()
      expect(await evaluate<number>(w, "document.documentElement.scrollWidth")).toBeLessThanOrEqual(320)
      await w.settled()
      await w.screenshot("viewer-320-editing")
    })
  })
})
