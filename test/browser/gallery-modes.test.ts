import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from "bun:test"
import { type FakeSdWebui, fakeSdWebui } from "../fixture/fake-sd-webui"
import {
  clearGallery,
  evalIn,
  focused,
  generate,
  gridIds,
  lightbox,
  lightboxId,
  openGallery,
  pageCalls,
  shownGrid,
  startGeneration,
  waitForLightbox,
  waitUntil,
} from "./gallery-helpers"
import { describeBrowser, type OpenWidget, startWidgetHost, type WidgetHost } from "./harness"

const BASE_URL = "http://127.0.0.1:1"
const ALL_MODES = ["inline", "fullscreen", "pip"]

describeBrowser("gallery widget: downloads, errors, display modes, generations", () => {
  let host: WidgetHost
  let sd: FakeSdWebui
  beforeAll(async () => {
    sd = fakeSdWebui()
    // BASE_URL over HTTP registers create_download_link; the fake SD WebUI runs real generations that wait or fail.
    host = await startWidgetHost({
      env: { IMAGE_GENERATION_MCP_BASE_URL: BASE_URL, IMAGE_GENERATION_MCP_SD_WEBUI_HOST: sd.url },
    })
  })
  afterAll(async () => {
    await host?.close()
    await sd?.[Symbol.asyncDispose]()
  })
  beforeEach(async () => {
    await clearGallery(host.env)
  })
  afterEach(async () => {
    await host?.closePages()
  })

  const open = (opts: Parameters<typeof openGallery>[1] = {}) => openGallery(host, opts)
  const grid = shownGrid
  const mode = (w: OpenWidget) => w.frame.locator("main").getAttribute("data-mode")

  test("download: downloadFile with the image link, else create_download_link + openLink, else no button", async () => {
    const [id] = await generate(host.env, ["download me"])
    const withFile = await open({ capabilities: { downloadFile: true } })
    await grid(withFile)
    await withFile.frame.locator(".card").hover()
    await withFile.frame.getByRole("button", { name: "Download image" }).click()
    await waitUntil(() => withFile.events.downloads.length === 1, "downloadFile")
    expect(withFile.events.downloads[0]).toEqual({
      contents: [{ type: "resource_link", uri: `image://${id}/view`, name: `${id}.png`, mimeType: "image/png" }],
    })
    expect(withFile.events.openedLinks).toEqual([])

    const withLinks = await open({ capabilities: { openLinks: true } })
    await grid(withLinks)
    await withLinks.frame.locator(".card-open").click()
    await waitForLightbox(withLinks.frame, id ?? "")
    await lightbox(withLinks.frame).getByRole("button", { name: "Download image" }).click()
    await waitUntil(() => withLinks.events.openedLinks.length === 1, "openLink")
    expect(withLinks.events.toolCalls.find((c) => c.name === "create_download_link")?.args).toEqual({
      ref: `image://${id}/view`,
    })
    expect(withLinks.events.openedLinks[0]).toMatch(/^http:\/\/127\.0\.0\.1:1\/transfer\/[A-Za-z0-9_-]{43}$/)

    // The host refuses downloadFile: the link fallback takes over.
    const refused = await open({ capabilities: { downloadFile: true, openLinks: true }, failDownloads: true })
    await grid(refused)
    await refused.frame.locator(".card").hover()
    await refused.frame.getByRole("button", { name: "Download image" }).click()
    await waitUntil(() => refused.events.openedLinks.length === 1, "fallback link")
    expect(refused.events.downloads).toHaveLength(1)

    const none = await open()
    await grid(none)
    expect(await none.frame.getByRole("button", { name: "Download image" }).count()).toBe(0)
  })

  test("a failing tool call shows the error state with the server's text; Retry recovers", async () => {
    await generate(host.env, ["after the error"])
    // A real failing call: the server refuses the arguments, and the host hands the widget that result.
    const w = await open({ args: { origin: "everything" } })
    const error = w.frame.locator(".state-error")
    await error.waitFor()
    expect(await error.locator(".error-title").textContent()).toBe("Could not load the gallery")
    expect(await error.locator(".error-detail").textContent()).toContain("origin")
    expect(await error.getAttribute("role")).toBe("alert")
    await w.screenshot("gallery-error")
    await error.getByRole("button", { name: "Retry" }).click()
    expect(await grid(w)).toHaveLength(1)
    expect(pageCalls(w)).toEqual([{ page: 1, page_size: 12, origin: "generated" }])

    // The host's call to the server fails (connection lost): same state, and Retry works once it is back.
    await w.page.route("**/call", (route) => route.fulfill({ status: 502, body: "upstream unavailable" }))
    await w.frame.getByRole("radio", { name: "All" }).click()
    await error.waitFor()
    expect(await error.locator(".error-detail").textContent()).toContain("upstream unavailable")
    await w.page.unroute("**/call")
    // A slow answer: the loading state's height is reported while it shows.
    let release = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    await w.page.route("**/call", async (route) => {
      await held
      await route.continue()
    })
    await error.getByRole("button", { name: "Retry" }).click()
    await w.frame.locator(".state-loading:not([hidden])").waitFor()
    const loadingHeight = await evalIn<number>(w.frame, "document.querySelector('main').scrollHeight")
    await waitUntil(() => w.events.sizes.at(-1) === loadingHeight, "the loading state's height")
    release()
    expect(await grid(w)).toHaveLength(1)
    expect(pageCalls(w).at(-1)).toEqual({ page: 1, page_size: 12, origin: "all" })
    await w.page.unroute("**/call")
  })

  test("a cancelled call shows the error state; Retry loads the gallery", async () => {
    await generate(host.env, ["cancel recovery"])
    const w = await open({ deliver: "cancelled", cancelReason: "stopped by the user" })
    const error = w.frame.locator(".state-error")
    await error.waitFor()
    expect(await error.locator(".error-detail").textContent()).toBe("The request was cancelled: stopped by the user")
    await w.screenshot("gallery-cancelled")
    await error.getByRole("button", { name: "Retry" }).click()
    expect(await grid(w)).toHaveLength(1)
    expect(await focused(w.frame)).toStartWith("open:")
  })

  test("empty states name what to do, per origin", async () => {
    const w = await open()
    await w.frame.locator(".state-empty:not([hidden])").waitFor()
    expect(await w.frame.locator(".empty-title").textContent()).toBe("No images yet")
    expect(await w.frame.locator(".empty-sub").textContent()).toBe("Use generate_image to create your first image.")
    await w.screenshot("gallery-empty")
    await w.frame.getByRole("radio", { name: "Imported" }).click()
    await waitUntil(
      async () => (await w.frame.locator(".empty-title").textContent()) === "No imported images",
      "imported",
    )
    expect(await w.frame.locator(".empty-sub").textContent()).toBe("Use fetch_image or ingest_base64_image to add one.")
    await w.screenshot("gallery-empty-imported")
  })

  test("picture-in-picture: a strip of four, no filter; a card opens the lightbox inline", async () => {
    const ids = await generate(host.env, ["pip 0", "pip 1", "pip 2", "pip 3", "pip 4", "pip 5"])
    const w = await open({ hostContext: { availableDisplayModes: ALL_MODES } })
    expect(await grid(w)).toHaveLength(6)
    await w.frame.getByRole("button", { name: "Picture-in-picture" }).click()
    await waitUntil(async () => (await mode(w)) === "pip", "pip mode")
    expect(w.events.displayModes).toEqual(["pip"])
    expect(await gridIds(w.frame)).toEqual([...ids].reverse().slice(0, 4))
    const columns = `getComputedStyle(document.querySelector(".pip-grid")).gridTemplateColumns.split(" ").length`
    expect(await evalIn(w.frame, columns)).toBe(4)
    expect(await w.frame.getByRole("radiogroup").isHidden()).toBe(true)
    expect(await w.frame.locator(".card-overlay").count()).toBe(0)
    const exit = w.frame.getByRole("button", { name: "Exit picture-in-picture" })
    expect(await exit.getAttribute("aria-pressed")).toBe("true")
    await w.screenshot("gallery-pip")

    const calls = w.events.toolCalls.length
    await w.frame.locator(".card-open").nth(1).click()
    await waitForLightbox(w.frame, ids[4] ?? "")
    expect(w.events.displayModes).toEqual(["pip", "inline"])
    expect(await mode(w)).toBe("inline")
    await waitUntil(() => pageCalls(w, calls).length === 1, "the page reloaded after leaving pip")
    await w.frame.locator(".lightbox").press("Escape")
    await waitUntil(async () => (await gridIds(w.frame)).length === 6, "the whole page back inline")

    // The host can switch modes by itself.
    await w.setHostContext({ theme: "light", displayMode: "pip", availableDisplayModes: ALL_MODES })
    await waitUntil(async () => (await gridIds(w.frame)).length === 4, "host-driven pip")
  })

  test("fullscreen toggles from the lightbox; no size reports while fullscreen", async () => {
    const ids = await generate(host.env, ["full 0", "full 1", "full 2"])
    const w = await open({ hostContext: { availableDisplayModes: ["inline", "fullscreen"] } })
    await grid(w)
    expect(await w.frame.getByRole("button", { name: "Picture-in-picture" }).isHidden()).toBe(true)
    await w.frame.locator(".card-open").first().click()
    await waitForLightbox(w.frame, ids[2] ?? "")
    const toggle = lightbox(w.frame).getByRole("button", { name: "Enter fullscreen" })
    await toggle.click()
    await waitUntil(async () => (await mode(w)) === "fullscreen", "fullscreen")
    expect(w.events.displayModes).toEqual(["fullscreen"])
    const exit = lightbox(w.frame).getByRole("button", { name: "Exit fullscreen" })
    expect(await exit.getAttribute("aria-pressed")).toBe("true")
    await w.page.evaluate(`document.querySelector("iframe").style.height = "600px"`)
    await w.screenshot("gallery-fullscreen")

    const sizes = w.events.sizes.length
    await lightbox(w.frame).press("ArrowRight")
    await waitForLightbox(w.frame, ids[1] ?? "")
    await lightbox(w.frame).press("Escape")
    await w.frame.getByRole("radio", { name: "All" }).click()
    await waitUntil(() => pageCalls(w).length === 1, "reload")
    await w.settled() // the page has loaded and rendered, and any size report would have arrived
    expect(w.events.sizes.length).toBe(sizes)

    await w.frame.locator(".toolbar").getByRole("button", { name: "Exit fullscreen" }).click()
    await waitUntil(async () => (await mode(w)) === "inline", "inline")
    await waitUntil(() => w.events.sizes.length > sizes, "a size report after leaving fullscreen")
    expect(w.events.displayModes).toEqual(["fullscreen", "inline"])
  })

  test("320 px wide, dark theme and safe-area insets", async () => {
    await generate(host.env, ["narrow one", "narrow two", "narrow three"])
    const w = await open({
      width: 320,
      capabilities: { downloadFile: true },
      hostContext: {
        theme: "dark",
        safeAreaInsets: { top: 12, right: 4, bottom: 10, left: 4 },
        availableDisplayModes: ALL_MODES,
      },
    })
    await grid(w)
    const layout = await evalIn(
      w.frame,
      `({
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        padding: getComputedStyle(document.querySelector("main")).paddingTop,
        theme: document.documentElement.dataset.theme,
        columns: new Set([...document.querySelectorAll(".card")].map((c) => Math.round(c.getBoundingClientRect().left))).size,
      })`,
    )
    expect(layout).toEqual({ overflow: 0, padding: "20px", theme: "dark", columns: 2 })
    // New insets change the height, and the host hears of it; the widget never reports a width (auto-resize off).
    const height = () => evalIn<number>(w.frame, "document.querySelector('main').scrollHeight")
    const before = await height()
    await waitUntil(() => w.events.sizes.at(-1) === before, "the first height")
    await w.setHostContext({ safeAreaInsets: { top: 32, right: 4, bottom: 30, left: 4 } })
    await waitUntil(() => w.events.sizes.at(-1) === before + 40, "the height with the new insets")
    expect(await height()).toBe(before + 40)
    expect(w.events.widths).toEqual([])
    await w.screenshot("gallery-320-dark")
    await w.frame.locator(".card-open").first().click()
    await w.frame.locator(".lb-img[data-full]").waitFor()
    expect(await evalIn(w.frame, "document.documentElement.scrollWidth - window.innerWidth")).toBe(0)
    await w.screenshot("gallery-320-lightbox")
    expect(w.consoleMessages).toEqual([])
  })

  // Last: its generations stay listed (running, failed) until they finish or expire.
  test("a running generation shows a progress card; a failed one shows its error", async () => {
    const [done] = await generate(host.env, ["finished castle"])
    sd.set({ holdAtStep: 12 }) // 12 of the SD 1.5 preset's 30 steps: progress 0.4
    const running = await startGeneration(host.env, "a slow castle on a hill", "sd_webui")
    await waitUntil(async () => {
      const status = JSON.parse(host.env.text(await host.env.call("check_generation_status", { image_id: running })))
      return status.progress === 0.4
    }, "progress from the provider")
    // The WebUI runs one job at a time, so this answer comes from the fake at once rather than after the held job.
    sd.answerNext(
      500,
      JSON.stringify({ error: "OutOfMemoryError", detail: "", body: "", errors: "CUDA out of memory" }),
    )
    const failed = await startGeneration(host.env, "a castle that breaks", "sd_webui")
    await waitUntil(async () => {
      const page = JSON.parse(host.env.text(await host.env.call("gallery_page", {})))
      return page.items.some(
        (i: { image_id: string; status: string }) => i.image_id === failed && i.status === "failed",
      )
    }, "the failed job")

    const w = await open()
    expect(await grid(w)).toEqual([failed, running, done ?? ""])
    const runningCard = w.frame.locator(`.card[data-image-id="${running}"]`)
    expect(await runningCard.getAttribute("data-status")).toBe("generating")
    expect(await runningCard.locator(".spinner").count()).toBe(1)
    expect(await runningCard.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("40")
    const failedCard = w.frame.locator(`.card[data-image-id="${failed}"]`)
    expect(await failedCard.getAttribute("data-status")).toBe("failed")
    expect(await failedCard.locator(".spinner").count()).toBe(0)
    expect(await failedCard.locator(".pending-title").textContent()).toBe("Generation failed")
    expect(await failedCard.locator(".pending-text").textContent()).toContain("CUDA out of memory")
    await w.screenshot("gallery-pending")

    // The lightbox skips generations: the finished image has no neighbours.
    await w.frame.locator(`.card[data-image-id="${done}"] .card-open`).click()
    await waitForLightbox(w.frame, done ?? "")
    expect(await w.frame.getByRole("button", { name: "Previous image" }).getAttribute("aria-disabled")).toBe("true")
    expect(await lightboxId(w.frame)).toBe(done ?? "")
    await host.env.call("cancel_generation", { image_id: running })
  })
})
