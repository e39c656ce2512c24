import { describe, expect, test } from "bun:test"
import { mkdirSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { externalReferences, widgetNames } from "../../scripts/build-widgets"
import { widgetsStale } from "../../scripts/ensure-widgets.mjs"
import { tmpdir } from "../fixture/tmpdir"

describe("widget build", () => {
  test("builds every src/widgets folder with an index.html, not shared/", () => {
    expect(widgetNames()).toEqual(expect.arrayContaining(["gallery", "viewer"]))
    expect(widgetNames()).not.toContain("shared")
  })

  test("finds every reference that would load another file, and nothing else", () => {
    const bad = [
      '<script type="module" src="./chunk-x1y2.js"></script>',
      '<script src="https://unpkg.com/cropperjs@1.6.2/dist/cropper.min.js"></script>',
      '<link rel="stylesheet" href="//cdn.example.com/a.css">',
      "<link rel=stylesheet href=/style.css>",
      '<img src="http://example.com/a.png">',
      "<style>@import url(https://fonts.example.com/x.css);</style>",
    ]
    for (const html of bad) expect(externalReferences(html)).toHaveLength(1)
    const good = [
      '<script type="module">import("x")</script>',
      '<img src="data:image/png;base64,AAAA">',
      '<a href="#top">top</a>',
      '<p>see src="https://example.com" in the text</p>',
      '<style>.x{background:url("data:image/svg+xml,%3Csvg%3E")}</style>',
    ]
    for (const html of good) expect(externalReferences(html)).toEqual([])
  })
})

describe("rebuild check (npm start / npm test)", () => {
  test("stale when an output is missing or older than any source file, fresh otherwise", async () => {
    await using dir = await tmpdir()
    const src = join(dir.path, "src", "widgets")
    const out = join(dir.path, "src", "assets", "widgets")
    mkdirSync(join(src, "viewer"), { recursive: true })
    mkdirSync(join(src, "shared"), { recursive: true })
    mkdirSync(out, { recursive: true })
    const at = (file: string, seconds: number) => utimesSync(file, seconds, seconds)
    writeFileSync(join(src, "viewer", "index.html"), "<!doctype html>")
    writeFileSync(join(src, "shared", "base.css"), "")
    at(join(src, "viewer", "index.html"), 1000)
    at(join(src, "shared", "base.css"), 1000)
    expect(widgetsStale(dir.path)).toBe(true)
    writeFileSync(join(out, "viewer.html"), "built")
    at(join(out, "viewer.html"), 2000)
    expect(widgetsStale(dir.path)).toBe(false)
    at(join(src, "shared", "base.css"), 3000)
    expect(widgetsStale(dir.path)).toBe(true)
    at(join(out, "viewer.html"), 4000)
    mkdirSync(join(src, "gallery"))
    writeFileSync(join(src, "gallery", "index.html"), "")
    expect(widgetsStale(dir.path)).toBe(true)
  })
})
