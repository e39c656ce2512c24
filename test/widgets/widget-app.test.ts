import { afterEach, describe, expect, spyOn, test } from "bun:test"
import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { App } from "@modelcontextprotocol/ext-apps"

// Loaded by a computed path: the module uses DOM types, which the server-side type-check (this file's) leaves out.
const SHARED_APP = join(import.meta.dir, "..", "..", "src", "widgets", "shared", "app.ts")
type CreateWidgetApp = (info: { name: string; version: string }, main: object, handlers: object) => unknown
const { createWidgetApp } = (await import(SHARED_APP)) as { createWidgetApp: CreateWidgetApp }

const WIDGETS = join(import.meta.dir, "..", "..", "src", "widgets")
/** Creating or connecting an App, or setting one of its handlers. */
const APP_WIRING =
  /new App\(|new PostMessageTransport\(|\.(?:ontool[a-z]*|onhostcontextchanged|onteardown|oncalltool|onlisttools)\s*=[^=]/
const HANDLERS = ["ontoolinput", "ontoolresult", "ontoolcancelled", "onhostcontextchanged", "onerror"] as const

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sources(path)
    return entry.name.endsWith(".ts") ? [path] : []
  })
}

describe("createWidgetApp", () => {
  const globals = globalThis as { window?: unknown }
  afterEach(() => {
    delete globals.window
  })

  test("every handler is registered before the app connects (no early message is lost)", () => {
    // createWidgetApp reads window.parent for the transport; connect itself is replaced by the spy.
    globals.window = { parent: {} }
    const seen: Record<string, string>[] = []
    const connect = spyOn(App.prototype, "connect").mockImplementation(function (this: App) {
      seen.push(Object.fromEntries(HANDLERS.map((name) => [name, typeof this[name]])))
      return new Promise<void>(() => {})
    })
    try {
      const noop = () => {}
      createWidgetApp(
        { name: "Test", version: "1.0.0" },
        {},
        {
          ontoolinput: noop,
          ontoolresult: noop,
          ontoolcancelled: noop,
        },
      )
    } finally {
      connect.mockRestore()
    }
    expect(seen).toEqual([Object.fromEntries(HANDLERS.map((name) => [name, "function"]))])
  })

  test("widgets connect only through createWidgetApp and never set handlers on the App themselves", () => {
    const offenders = sources(WIDGETS)
      .filter((file) => !file.endsWith(join("shared", "app.ts")))
      .filter((file) => APP_WIRING.test(readFileSync(file, "utf8")))
      .map((file) => relative(WIDGETS, file))
    expect(offenders).toEqual([])
    for (const main of ["viewer/main.ts", "gallery/main.ts"]) {
      const text = readFileSync(join(WIDGETS, main), "utf8")
      expect(text).toContain("createWidgetApp(")
      for (const name of ["ontoolinput", "ontoolresult", "ontoolcancelled"]) expect(text).toContain(`${name}:`)
    }
  })
})
