import { describe, expect, test } from "bun:test"
import { CACHE_MAX, type KeyValueStorage, ViewCache } from "@/widgets/viewer/cache"

/** An in-memory Web Storage with an optional size limit (in characters), like a browser's quota. */
class MemoryStorage implements KeyValueStorage {
  readonly map = new Map<string, string>()
  private readonly quota: number
  constructor(quota = Number.POSITIVE_INFINITY) {
    this.quota = quota
  }
  get length() {
    return this.map.size
  }
  key(index: number) {
    return [...this.map.keys()][index] ?? null
  }
  getItem(key: string) {
    return this.map.get(key) ?? null
  }
  setItem(key: string, value: string) {
    const used = [...this.map].reduce((n, [k, v]) => n + (k === key ? 0 : k.length + v.length), 0)
    if (used + key.length + value.length > this.quota) throw new DOMException("full", "QuotaExceededError")
    this.map.set(key, value)
  }
  removeItem(key: string) {
    this.map.delete(key)
  }
}

const view = (data: string) => ({ img: { data, mimeType: "image/webp" }, text: `{"image_id":"${data}"}` })

function clock() {
  let t = 1000
  return () => ++t
}

describe("viewer cache", () => {
  test("stores under imgview:<key> and returns what was stored", () => {
    const storage = new MemoryStorage()
    const cache = new ViewCache(storage, clock())
    cache.put("abc", { ...view("AAAA"), editedFrom: "src" })
    expect([...storage.map.keys()]).toEqual(["imgview:abc"])
    expect(cache.get("abc")).toMatchObject({ ...view("AAAA"), editedFrom: "src" })
    expect(cache.get("missing")).toBeUndefined()
  })

  test(`keeps the ${CACHE_MAX} most recently used entries`, () => {
    const storage = new MemoryStorage()
    storage.setItem("unrelated", "kept")
    const cache = new ViewCache(storage, clock())
    for (const key of ["a", "b", "c", "d", "e"]) cache.put(key, view(key))
    cache.get("a")
    cache.put("f", view("f"))
    expect(cache.keys()).toEqual(["c", "d", "e", "a", "f"])
    expect(storage.getItem("unrelated")).toBe("kept")
  })

  test("on a quota error evicts the oldest entries one by one until the new one fits", () => {
    const entrySize = JSON.stringify({ ...view("x".repeat(100)), ts: 1001 }).length + "imgview:k1".length
    const storage = new MemoryStorage(entrySize * 3 + 10)
    const cache = new ViewCache(storage, clock())
    for (const key of ["k1", "k2", "k3"]) cache.put(key, view("x".repeat(100)))
    cache.put("k4", view("y".repeat(150)))
    expect(cache.keys()).toEqual(["k3", "k4"])
  })

  test("gives up with a warning when the entry can never fit, and keeps working without storage", () => {
    const cache = new ViewCache(new MemoryStorage(50), clock())
    cache.put("big", view("z".repeat(500)))
    expect(cache.keys()).toEqual([])
    const none = new ViewCache(undefined)
    none.put("a", view("a"))
    expect(none.get("a")).toBeUndefined()
  })

  test("ignores damaged entries and storage that throws", () => {
    const storage = new MemoryStorage()
    storage.setItem("imgview:bad", "{not json")
    storage.setItem("imgview:shape", JSON.stringify({ img: 1 }))
    const cache = new ViewCache(storage, clock())
    expect(cache.get("bad")).toBeUndefined()
    expect(cache.get("shape")).toBeUndefined()
    const throwing: KeyValueStorage = {
      length: 1,
      key: () => {
        throw new Error("denied")
      },
      getItem: () => {
        throw new Error("denied")
      },
      setItem: () => {
        throw new Error("denied")
      },
      removeItem: () => {},
    }
    const blocked = new ViewCache(throwing)
    expect(blocked.get("a")).toBeUndefined()
    blocked.put("a", view("a"))
    expect(blocked.keys()).toEqual([])
  })
})
