import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from "bun:test"
import { SEARCH_DEBOUNCE_MS } from "@/widgets/gallery/query"
import {
  clearGallery,
  evalIn,
  focused,
  generate,
  gradientPng,
  gridIds,
  ingest,
  lightbox,
  lightboxId,
  openGallery,
  pageCalls,
  shownGrid,
  waitForLightbox,
  waitUntil,
} from "./gallery-helpers"
import { describeBrowser, type OpenWidget, startWidgetHost, type WidgetHost } from "./harness"

/** Gradient pairs for imported test images (distinct thumbnails in screenshots). */
const GRADIENTS: [number[], number[]][] = [
  [
    [250, 112, 84],
    [255, 214, 120],
  ],
  [
    [36, 92, 170],
    [130, 210, 240],
  ],
  [
    [40, 120, 80],
    [190, 230, 140],
  ],
  [
    [110, 60, 160],
    [240, 150, 200],
  ],
]

describeBrowser("gallery widget", () => {
  let host: WidgetHost
  beforeAll(async () => {
    host = await startWidgetHost()
  })
  afterAll(async () => {
    await host?.close()
  })
  beforeEach(async () => {
    await clearGallery(host.env)
  })
  afterEach(async () => {
    await host?.closePages()
  })

  const open = (opts: Parameters<typeof openGallery>[1] = {}) => openGallery(host, opts)
  const grid = shownGrid
  const pageLabel = (w: OpenWidget) => w.frame.locator(".page-label").textContent()

  test("pages through the gallery; the lightbox crosses page boundaries both ways", async () => {
    const ids = await generate(
      host.env,
      Array.from({ length: 14 }, (_, i) => `paging test image ${i}`),
    )
    const newest = [...ids].reverse()
    const w = await open()
    expect(await grid(w)).toEqual(newest.slice(0, 12))
    expect(await pageLabel(w)).toBe("Page 1 of 2")
    expect(await w.frame.getByRole("button", { name: "Previous page" }).getAttribute("aria-disabled")).toBe("true")
    await w.screenshot("gallery-grid")

    // The 12th card is the last image of page 1; next crosses to page 2.
    await w.frame.getByRole("button", { name: "Open image: paging test image 2", exact: true }).click()
    await waitForLightbox(w.frame, newest[11] ?? "")
    const info = await w.frame.locator(".lb-info").textContent()
    expect(info).toStartWith("placeholder · 256×256px · ")
    expect(await w.frame.locator("#lb-prompt").textContent()).toBe("“paging test image 2”")
    await w.screenshot("gallery-lightbox")

    const before = w.events.toolCalls.length
    await w.frame.locator(".lightbox").press("ArrowRight")
    await waitForLightbox(w.frame, newest[12] ?? "")
    expect(pageCalls(w, before)).toEqual([{ page: 2, page_size: 12, origin: "generated" }])
    expect(await grid(w)).toEqual(newest.slice(12))
    expect(await pageLabel(w)).toBe("Page 2 of 2")
    await w.frame.getByRole("button", { name: "Next image" }).click()
    await waitForLightbox(w.frame, newest[13] ?? "")
    expect(await w.frame.getByRole("button", { name: "Next image" }).getAttribute("aria-disabled")).toBe("true")
    const atEnd = w.events.toolCalls.length
    await w.frame.locator(".lightbox").press("ArrowRight") // at the very end: nothing happens
    await w.settled()
    expect(await lightboxId(w.frame)).toBe(newest[13] ?? "")
    expect(w.events.toolCalls.length).toBe(atEnd)

    await w.frame.locator(".lightbox").press("ArrowLeft")
    await waitForLightbox(w.frame, newest[12] ?? "")
    await w.frame.locator(".lightbox").press("ArrowLeft")
    await waitForLightbox(w.frame, newest[11] ?? "")
    expect(await pageLabel(w)).toBe("Page 1 of 2")

    // Escape closes; focus returns to the card of the image shown last.
    await w.frame.locator(".lightbox").press("Escape")
    expect(await lightboxId(w.frame)).toBeNull()
    expect(await focused(w.frame)).toBe(`open:${newest[11]}`)

    // The first image of page 1 has no previous one.
    await w.frame.locator(".card-open").first().click()
    await waitForLightbox(w.frame, newest[0] ?? "")
    expect(await w.frame.getByRole("button", { name: "Previous image" }).getAttribute("aria-disabled")).toBe("true")
    await w.frame.getByRole("button", { name: "Close" }).click()

    // Pagination buttons keep focus, also on a disabled end.
    await w.frame.getByRole("button", { name: "Next page" }).click()
    await waitUntil(async () => (await pageLabel(w)) === "Page 2 of 2", "page 2")
    expect(await focused(w.frame)).toBe("page-next")
    const onLastPage = w.events.toolCalls.length
    await w.frame.getByRole("button", { name: "Next page" }).press("Enter") // disabled: stays
    await w.settled()
    expect(await pageLabel(w)).toBe("Page 2 of 2")
    expect(w.events.toolCalls.length).toBe(onLastPage)
    expect(w.consoleMessages).toEqual([])
  })

  test("deleting the only image on the last page goes back a page and reopens its last image", async () => {
    const ids = await generate(
      host.env,
      Array.from({ length: 13 }, (_, i) => `delete paging ${i}`),
    )
    const w = await open()
    await grid(w)
    await w.frame.getByRole("button", { name: "Next page" }).click()
    await waitUntil(async () => (await pageLabel(w)) === "Page 2 of 2", "page 2")
    await w.frame.getByRole("button", { name: "Open image: delete paging 0", exact: true }).click()
    await waitForLightbox(w.frame, ids[0] ?? "")
    await w.frame.locator(".lightbox").getByRole("button", { name: "Delete image" }).click()
    await w.frame.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click()
    await waitForLightbox(w.frame, ids[1] ?? "")
    expect(await grid(w)).toEqual([...ids].reverse().slice(0, 12))
    expect(await w.frame.locator(".pagination").count()).toBe(0)
    expect(w.events.toolCalls.filter((c) => c.name === "delete_image")).toEqual([
      { name: "delete_image", args: { image_id: ids[0] } },
    ])
  })

  test("the origin filter is a radiogroup driven by the keyboard", async () => {
    const generated = await generate(host.env, ["a lighthouse at dusk, oil painting", "a red fox in fresh snow"])
    const imported: string[] = []
    for (const [from, to] of GRADIENTS) imported.push(await ingest(host.env, gradientPng(160, 120, from, to)))
    const w = await open()
    expect(await grid(w)).toEqual([...generated].reverse())
    const group = w.frame.getByRole("radiogroup", { name: "Filter by image origin" })
    const radios = group.getByRole("radio")
    expect(await radios.evaluateAll((rs) => rs.map((r) => [r.textContent, r.getAttribute("tabindex")]))).toEqual([
      ["Generated", "0"],
      ["Imported", "-1"],
      ["All", "-1"],
    ])
    await w.frame.getByRole("radio", { name: "Generated" }).focus()
    const checked = () => group.locator('[aria-checked="true"]').textContent()

    const calls = w.events.toolCalls.length
    await w.page.keyboard.press("ArrowRight")
    await waitUntil(async () => (await gridIds(w.frame)).join() === imported.toReversed().join(), "imported images")
    expect(await checked()).toBe("Imported")
    expect(await focused(w.frame)).toBe("origin:imported")
    expect(pageCalls(w, calls)).toEqual([{ page: 1, page_size: 12, origin: "imported" }])
    await w.screenshot("gallery-filter-imported")

    await w.page.keyboard.press("End")
    await waitUntil(async () => (await gridIds(w.frame)).length === 6, "all images")
    expect(await checked()).toBe("All")
    await evalIn(w.frame, "document.activeElement.blur()")
    await w.frame.locator(`.card[data-image-id="${generated[0]}"]`).hover()
    await w.screenshot("gallery-all")
    await w.frame.getByRole("radio", { name: "All" }).focus()
    await w.page.keyboard.press("ArrowDown") // wraps to the first
    await waitUntil(async () => (await checked()) === "Generated", "generated")
    await w.page.keyboard.press("ArrowUp") // wraps to the last
    await waitUntil(async () => (await checked()) === "All", "all")
    await w.page.keyboard.press("Home")
    await waitUntil(async () => (await gridIds(w.frame)).length === 2, "generated images")
    expect(await checked()).toBe("Generated")
    expect(await radios.evaluateAll((rs) => rs.map((r) => r.getAttribute("tabindex")))).toEqual(["0", "-1", "-1"])
    // One tab stop for the whole group: Tab goes on to the search box.
    await w.page.keyboard.press("Tab")
    expect(await focused(w.frame)).toBe("search")
  })

  test("search filters by prompt after a pause, on Enter, and clears", async () => {
    await generate(host.env, ["red lighthouse at dusk", "blue lighthouse at dawn", "green forest"])
    const w = await open()
    expect(await grid(w)).toHaveLength(3)
    const input = w.frame.getByRole("searchbox", { name: "Search images by prompt" })
    let calls = w.events.toolCalls.length
    // Ten letters typed in one go inside the page: however busy the machine, no pause between them reaches the
    // debounce delay (key presses sent one by one from here can be that far apart).
    await input.focus()
    await evalIn(
      w.frame,
      `(() => {
        const input = document.activeElement
        for (const letter of "lighthouse") {
          input.value += letter
          input.dispatchEvent(new InputEvent("input", { bubbles: true, data: letter, inputType: "insertText" }))
        }
      })()`,
    )
    await waitUntil(async () => (await gridIds(w.frame)).length === 2, "two lighthouses")
    // Typing ten letters made one request (debounced), with the query.
    expect(pageCalls(w, calls)).toEqual([{ page: 1, page_size: 12, origin: "generated", query: "lighthouse" }])
    await w.screenshot("gallery-search")

    calls = w.events.toolCalls.length
    await w.frame.getByRole("button", { name: "Clear search" }).click()
    await waitUntil(async () => (await gridIds(w.frame)).length === 3, "all three")
    expect(pageCalls(w, calls)).toEqual([{ page: 1, page_size: 12, origin: "generated" }])
    expect(await focused(w.frame)).toBe("search")

    await input.fill("forest")
    await input.press("Enter")
    await waitUntil(async () => (await gridIds(w.frame)).length === 1, "the forest")

    await input.fill("zebra")
    await input.press("Enter")
    await w.frame.locator(".state-empty:not([hidden])").waitFor()
    expect(await w.frame.locator(".empty-title").textContent()).toBe("No matching images")
    expect(await w.frame.locator(".empty-sub").textContent()).toContain("“zebra”")
    await w.screenshot("gallery-search-empty")
    await w.frame.locator(".state-empty").getByRole("button", { name: "Clear search" }).click()
    await waitUntil(async () => (await gridIds(w.frame)).length === 3, "all three again")
    expect(await input.inputValue()).toBe("")

    // A query in the tool's arguments fills the box, and paging keeps it.
    const more = await generate(
      host.env,
      Array.from({ length: 12 }, (_, i) => `lighthouse extra ${i}`),
    )
    const w2 = await open({ args: { query: "lighthouse" } })
    expect(await grid(w2)).toHaveLength(12)
    expect(await w2.frame.getByRole("searchbox").inputValue()).toBe("lighthouse")
    await w2.frame.getByRole("button", { name: "Next page" }).click()
    await waitUntil(async () => (await gridIds(w2.frame)).length === 2, "page 2 of the search")
    expect(pageCalls(w2).at(-1)).toEqual({ page: 2, page_size: 12, origin: "generated", query: "lighthouse" })
    expect(more).toHaveLength(12)

    // Text without a letter or digit is no filter (the server would refuse it).
    calls = w.events.toolCalls.length
    await input.fill("?!")
    await input.press("Enter")
    await w.settled(SEARCH_DEBOUNCE_MS) // past the pause after the last letter, too
    expect(pageCalls(w, calls)).toEqual([])
  })

  test("only the newest request renders: a slow earlier answer is dropped", async () => {
    await generate(host.env, ["sequence generated"])
    await ingest(host.env, gradientPng(40, 40, [20, 80, 160], [120, 200, 240]))
    const w = await open()
    await grid(w)
    // The imported page is held until the test lets it answer, after a newer request has rendered.
    let held = Promise.withResolvers<void>()
    await w.page.route("**/call", async (route) => {
      const body = route.request().postDataJSON() as { name: string; arguments: { origin?: string } }
      if (body.name === "gallery_page" && body.arguments.origin === "imported") await held.promise
      await route.continue()
    })
    const importedCalls = () => pageCalls(w).filter((args) => args.origin === "imported").length
    await w.frame.getByRole("radio", { name: "Imported" }).click()
    await waitUntil(() => importedCalls() === 1, "the imported page request")
    await w.frame.getByRole("radio", { name: "All" }).click()
    await waitUntil(async () => (await gridIds(w.frame)).length === 2, "all images")
    held.resolve()
    await w.settled() // the imported page has answered, and must not replace "All"
    expect(await gridIds(w.frame)).toHaveLength(2)
    expect(await w.frame.locator('[aria-checked="true"]').textContent()).toBe("All")

    // A result the host pushes (the model called browse_gallery again) also wins over a page load in flight.
    held = Promise.withResolvers<void>()
    await w.frame.getByRole("radio", { name: "Imported" }).click()
    await waitUntil(() => importedCalls() === 2, "the second imported page request")
    const pushed = await host.env.call("browse_gallery", { origin: "generated" })
    await w.sendToolResult(pushed)
    await waitUntil(async () => (await gridIds(w.frame)).length === 1, "the pushed result")
    held.resolve()
    await w.settled()
    expect(await gridIds(w.frame)).toHaveLength(1)
    expect(await w.frame.locator('[aria-checked="true"]').textContent()).toBe("Generated")
    await w.page.unroute("**/call")
  })

  test("delete asks in the widget: Cancel keeps the image, Delete removes it", async () => {
    const ids = await generate(host.env, ["delete me one", "delete me two", "delete me three"])
    const w = await open()
    expect(await grid(w)).toEqual([...ids].reverse())
    const card = w.frame.locator(`.card[data-image-id="${ids[2]}"]`)
    await card.hover()
    await card.getByRole("button", { name: "Delete image" }).click()
    const dialog = w.frame.getByRole("alertdialog")
    expect(await dialog.textContent()).toContain("Delete this image? This cannot be undone.")
    expect(await focused(w.frame)).toBe("Cancel")
    await w.screenshot("gallery-confirm-delete")

    await w.page.keyboard.press("Escape")
    expect(await dialog.isHidden()).toBe(true)
    expect(await focused(w.frame)).toBe(`delete:${ids[2]}`)
    await card.getByRole("button", { name: "Delete image" }).click()
    await dialog.getByRole("button", { name: "Cancel" }).click()
    expect(w.events.toolCalls.some((c) => c.name === "delete_image")).toBe(false)
    expect((await host.env.call("gallery_full_image", { image_id: ids[2] })).isError).toBeFalsy()

    await card.getByRole("button", { name: "Delete image" }).click()
    await dialog.getByRole("button", { name: "Delete" }).click()
    await waitUntil(async () => (await gridIds(w.frame)).length === 2, "two left")
    expect(await gridIds(w.frame)).toEqual(ids.slice(0, 2).reverse())
    expect((await host.env.call("gallery_full_image", { image_id: ids[2] })).isError).toBe(true)
    expect(await focused(w.frame)).toBe(`open:${ids[1]}`)

    // From the lightbox: the next image takes the deleted one's place; the last delete closes it.
    await w.frame.locator(".card-open").first().click()
    await waitForLightbox(w.frame, ids[1] ?? "")
    await lightbox(w.frame).getByRole("button", { name: "Delete image" }).click()
    await dialog.getByRole("button", { name: "Delete" }).click()
    await waitForLightbox(w.frame, ids[0] ?? "")
    await lightbox(w.frame).getByRole("button", { name: "Delete image" }).click()
    await dialog.getByRole("button", { name: "Delete" }).click()
    await w.frame.locator(".state-empty:not([hidden])").waitFor()
    expect(await lightboxId(w.frame)).toBeNull()
    expect(await w.frame.locator(".empty-title").textContent()).toBe("No images yet")
    expect(w.dialogs).toEqual([]) // no native dialog: sandboxed hosts block them
  })

  test("a delete the server refuses shows its error, in the grid and in the lightbox", async () => {
    const ids = await generate(host.env, ["already gone", "also gone"])
    const w = await open()
    await grid(w)
    for (const image_id of ids) expect((await host.env.call("delete_image", { image_id })).isError).toBeFalsy()
    const card = w.frame.locator(`.card[data-image-id="${ids[0]}"]`)
    await card.hover()
    await card.getByRole("button", { name: "Delete image" }).click()
    await w.frame.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click()
    const notice = w.frame.locator(".page-notice")
    await notice.waitFor()
    expect(await notice.textContent()).toMatch(/^Could not delete the image: .*not found/)
    expect(await notice.getAttribute("role")).toBe("alert")
    expect(await gridIds(w.frame)).toHaveLength(2)
    // The message is a line under the toolbar, not a layer over it: the filter and search stay usable.
    const [noticeBox, toolbarBox] = [await notice.boundingBox(), await w.frame.locator(".toolbar").boundingBox()]
    expect(noticeBox && toolbarBox && noticeBox.y >= toolbarBox.y + toolbarBox.height).toBe(true)
    await w.frame.getByRole("searchbox").click()
    // The extra line made the widget taller: the host hears of it.
    const height = await evalIn<number>(w.frame, "document.getElementById('main').scrollHeight")
    await waitUntil(() => w.events.sizes.at(-1) === height, `a size report of ${height}px`)
    await w.screenshot("gallery-delete-error")

    // In the lightbox the full image is missing too, and the delete error shows under the image.
    await w.frame.locator(`.card[data-image-id="${ids[1]}"] .card-open`).click()
    const status = lightbox(w.frame).getByRole("status")
    await waitUntil(
      async () => (await status.textContent())?.startsWith("Could not load the full image") ?? false,
      "full image error",
    )
    await lightbox(w.frame).getByRole("button", { name: "Delete image" }).click()
    await w.frame.getByRole("alertdialog").getByRole("button", { name: "Delete" }).click()
    await waitUntil(
      async () => (await status.textContent())?.startsWith("Could not delete the image") ?? false,
      "delete error",
    )
    expect(await lightboxId(w.frame)).toBe(ids[1] ?? "")
  })

  test("keyboard and screen readers: named controls, focus trap in the lightbox, focus restored", async () => {
    await generate(host.env, ["a11y one", "a11y two"])
    const w = await open({
      capabilities: { downloadFile: true },
      hostContext: { availableDisplayModes: ["inline", "fullscreen", "pip"] },
    })
    await grid(w)
    const unnamed = await evalIn<string[]>(
      w.frame,
      `[...document.querySelectorAll("button, input, [role=radio]")]
        .filter((n) => !(n.getAttribute("aria-label") || n.textContent.trim() || (n.id && document.querySelector('label[for="' + n.id + '"]'))))
        .map((n) => n.outerHTML.slice(0, 80))`,
    )
    expect(unnamed).toEqual([])

    // Tab reaches the first card; Enter opens it.
    await w.frame.getByRole("radio", { name: "Generated" }).focus()
    const order: string[] = []
    for (let i = 0; i < 6; i++) {
      await w.page.keyboard.press("Tab")
      order.push(await focused(w.frame))
    }
    expect(order.slice(0, 3)).toEqual(["search", "Enter fullscreen", "Picture-in-picture"])
    expect(order[3]).toStartWith("open:")
    expect(order[4]).toStartWith("download:")
    expect(order[5]).toStartWith("delete:")
    // Keyboard focus is visible: the focused delete button (and any other control) draws an outline.
    expect(await evalIn(w.frame, "getComputedStyle(document.activeElement).outlineStyle")).toBe("solid")
    await w.frame.getByRole("radio", { name: "Generated" }).press("Tab")
    expect(await evalIn(w.frame, "getComputedStyle(document.activeElement).outlineStyle")).toBe("solid")
    const opener = order[3] ?? ""
    await w.frame.locator(`[data-focus-key="${opener}"]`).focus()
    await w.page.keyboard.press("Enter")
    await lightbox(w.frame).waitFor()
    expect(await focused(w.frame)).toBe("Close")
    expect(await evalIn(w.frame, `document.querySelector(".toolbar").closest("[inert]") !== null`)).toBe(true)

    // Tab cycles inside the dialog, both ways.
    const seen = new Set<string>()
    for (let i = 0; i < 8; i++) {
      await w.page.keyboard.press("Tab")
      const now = await focused(w.frame)
      seen.add(now)
      expect(await evalIn(w.frame, `!!document.activeElement?.closest(".lightbox")`)).toBe(true)
    }
    expect([...seen].sort()).toEqual([
      "Close",
      "Delete image",
      "Download image",
      "Enter fullscreen",
      "Next image",
      "Previous image",
    ])
    await w.page.keyboard.press("Shift+Tab")
    expect(await evalIn(w.frame, `!!document.activeElement?.closest(".lightbox")`)).toBe(true)
    await w.page.keyboard.press("Escape")
    expect(await focused(w.frame)).toBe(opener)
    expect(await evalIn(w.frame, `document.querySelector("[inert]") === null`)).toBe(true)
  })
})
