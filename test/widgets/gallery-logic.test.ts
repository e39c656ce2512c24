import { describe, expect, test } from "bun:test"
import { radioKeyTarget, trapTarget } from "../../src/widgets/gallery/keys"
import {
  type GalleryItem,
  type PendingItem,
  parseGalleryPage,
  pendingLabel,
  truncate,
} from "../../src/widgets/gallery/model"
import {
  lightboxStep,
  pageAfterDelete,
  pageCount,
  pickOnPage,
  reopenAfterDelete,
} from "../../src/widgets/gallery/paging"
import { Debouncer, searchQuery } from "../../src/widgets/gallery/query"
import { RequestSequence } from "../../src/widgets/gallery/sequence"

const done = (id: string): GalleryItem => ({
  kind: "completed",
  id,
  prompt: id,
  provider: "placeholder",
  dimensions: [8, 8],
  createdAt: null,
  thumbnail: "AAAA",
  contentType: "image/png",
})
const running = (id: string, kind: PendingItem["kind"] = "generating"): PendingItem => ({
  kind,
  id,
  prompt: "",
  provider: "placeholder",
  progress: 0,
  message: "",
  error: "",
})

describe("paging", () => {
  test("page count is at least 1 and rounds up", () => {
    expect([pageCount(0, 12), pageCount(12, 12), pageCount(13, 12), pageCount(25, 12), pageCount(5, 0)]).toEqual([
      1, 1, 2, 3, 5,
    ])
  })

  test("deleting the only item of the last page goes back a page; anything else reloads the same page", () => {
    expect(pageAfterDelete(13, 2, 12)).toBe(1) // 13th item alone on page 2
    expect(pageAfterDelete(14, 2, 12)).toBe(2) // page 2 keeps one item
    expect(pageAfterDelete(1, 1, 12)).toBe(1) // never below page 1
    expect(pageAfterDelete(25, 3, 12)).toBe(2)
    expect(pageAfterDelete(30, 1, 12)).toBe(1)
  })
})

describe("lightbox navigation", () => {
  const place = (items: GalleryItem[], currentId: string, page = 1, total = items.length, pageSize = 3) => ({
    items,
    currentId,
    page,
    total,
    pageSize,
  })

  test("moves within the page, skipping nothing but generations", () => {
    const items = [done("a"), done("b"), done("c")]
    expect(lightboxStep(1, place(items, "a"))).toEqual({ kind: "same-page", id: "b" })
    expect(lightboxStep(-1, place(items, "c"))).toEqual({ kind: "same-page", id: "b" })
  })

  test("stops at the first image of page 1 and the last image of the last page", () => {
    const items = [done("a"), done("b")]
    expect(lightboxStep(-1, place(items, "a"))).toBeNull()
    expect(lightboxStep(1, place(items, "b"))).toBeNull()
  })

  test("crosses to the next page's first image and the previous page's last image", () => {
    const items = [done("d"), done("e"), done("f")]
    expect(lightboxStep(1, place(items, "f", 2, 9))).toEqual({ kind: "load-page", page: 3, pick: "first" })
    expect(lightboxStep(-1, place(items, "d", 2, 9))).toEqual({ kind: "load-page", page: 1, pick: "last" })
    expect(lightboxStep(1, place(items, "f", 3, 9))).toBeNull()
  })

  test("a generation before the image means nothing earlier, on any page", () => {
    const items = [running("p"), done("a"), done("b")]
    expect(lightboxStep(-1, place(items, "a", 2, 9))).toBeNull()
    expect(lightboxStep(1, place(items, "a", 2, 9))).toEqual({ kind: "same-page", id: "b" })
  })

  test("an image that is no longer on the page goes nowhere", () => {
    expect(lightboxStep(1, place([done("a")], "gone", 1, 5))).toBeNull()
  })

  test("picks the first or last image of a loaded page, ignoring generations", () => {
    const items = [running("p"), done("a"), done("b")]
    expect(pickOnPage(items, "first")).toBe("a")
    expect(pickOnPage(items, "last")).toBe("b")
    expect(pickOnPage([running("p")], "last")).toBeNull()
  })

  test("after a delete, reopens at the same position, clamped to the last image, or nowhere", () => {
    const items = [done("a"), done("b"), done("c")]
    expect(reopenAfterDelete(items, 1)).toBe("b")
    expect(reopenAfterDelete(items, 7)).toBe("c")
    expect(reopenAfterDelete(items, -1)).toBe("a")
    expect(reopenAfterDelete([running("p")], 0)).toBeNull()
  })
})

describe("request sequence", () => {
  test("only the newest ticket is current", () => {
    const seq = new RequestSequence()
    const first = seq.next()
    expect(seq.isCurrent(first)).toBe(true)
    const second = seq.next()
    expect(seq.isCurrent(first)).toBe(false)
    expect(seq.isCurrent(second)).toBe(true)
    seq.next() // a host result invalidates requests in flight
    expect(seq.isCurrent(second)).toBe(false)
  })
})

describe("keyboard", () => {
  test("radiogroup keys wrap; other keys do not move", () => {
    expect(radioKeyTarget("ArrowRight", 2, 3)).toBe(0)
    expect(radioKeyTarget("ArrowDown", 0, 3)).toBe(1)
    expect(radioKeyTarget("ArrowLeft", 0, 3)).toBe(2)
    expect(radioKeyTarget("ArrowUp", 2, 3)).toBe(1)
    expect(radioKeyTarget("Home", 2, 3)).toBe(0)
    expect(radioKeyTarget("End", 0, 3)).toBe(2)
    expect(radioKeyTarget("Enter", 1, 3)).toBeNull()
    expect(radioKeyTarget("ArrowRight", 0, 0)).toBeNull()
  })

  test("the focus trap wraps at both ends and pulls stray focus inside", () => {
    const items = ["close", "prev", "next"]
    expect(trapTarget(items, "next", false)).toBe("close")
    expect(trapTarget(items, "close", true)).toBe("next")
    expect(trapTarget(items, "prev", false)).toBeNull()
    expect(trapTarget(items, "outside", false)).toBe("close")
    expect(trapTarget(items, null, true)).toBe("next")
    expect(trapTarget([], "x", false)).toBeNull()
  })
})

describe("search", () => {
  test("the query is trimmed, and empty when it holds no letter or digit", () => {
    expect(searchQuery("  lighthouse dusk ")).toBe("lighthouse dusk")
    expect(searchQuery("--- !!")).toBe("")
    expect(searchQuery("été")).toBe("été")
    expect(searchQuery("x".repeat(600))).toHaveLength(500)
  })

  test("the debouncer runs only the last call, after the pause; flush runs it now; cancel drops it", async () => {
    const calls: string[] = []
    const debounce = new Debouncer(20)
    debounce.schedule(() => calls.push("a"))
    debounce.schedule(() => calls.push("b"))
    await Bun.sleep(40)
    expect(calls).toEqual(["b"])
    debounce.schedule(() => calls.push("c"))
    debounce.flush()
    expect(calls).toEqual(["b", "c"])
    debounce.schedule(() => calls.push("d"))
    debounce.cancel()
    await Bun.sleep(40)
    expect(calls).toEqual(["b", "c"])
  })
})

describe("gallery payload", () => {
  test("parses pages with fallbacks and keeps failed generations' errors", () => {
    const text = JSON.stringify({
      total: 3,
      page: 2,
      origin: "imported",
      query: "cat",
      items: [
        { image_id: "a", status: "failed", prompt: "p", provider: "x", progress: 0.3, error: "quota exceeded" },
        { image_id: "b", status: "generating", prompt: "a long prompt ".repeat(5), progress: 2 },
        { image_id: "c", status: "completed", dimensions: [4, 2], thumbnail_b64: null },
        "not an item",
      ],
    })
    const page = parseGalleryPage(text)
    expect(page).toMatchObject({ total: 3, page: 2, pageSize: 12, origin: "imported", query: "cat" })
    expect(page?.items.map((i) => i.kind)).toEqual(["failed", "generating", "completed"])
    const [failed, generating, completed] = page?.items ?? []
    expect(failed?.kind === "failed" && pendingLabel(failed)).toBe("quota exceeded")
    expect(generating?.kind === "generating" && generating.progress).toBe(1)
    expect(generating?.kind === "generating" && pendingLabel(generating)).toBe(
      `${"a long prompt ".repeat(5).slice(0, 40)}…`,
    )
    expect(completed).toMatchObject({ thumbnail: null, dimensions: [4, 2], contentType: "image/png" })
  })

  test("anything without a numeric total is not a page", () => {
    for (const text of [undefined, "", "nope", "[]", '{"items":[]}', '{"total":"3"}', '{"total":null}']) {
      expect(parseGalleryPage(text)).toBeNull()
    }
    expect(parseGalleryPage('{"total":0}')).toMatchObject({ total: 0, page: 1, origin: null, items: [] })
  })

  test("a failed generation without an error says so; truncation counts characters, not UTF-16 units", () => {
    expect(pendingLabel(running("f", "failed"))).toBe("Unknown error")
    expect(pendingLabel(running("c", "cancelled"))).toBe("")
    expect(truncate("🙂🙂🙂", 2)).toBe("🙂🙂…")
    expect(truncate("abc", 3)).toBe("abc")
  })
})
