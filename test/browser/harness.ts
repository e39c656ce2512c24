// Drives the real widgets in headless Chromium: a small MCP Apps host page (test/browser/host/) loads the widget
// HTML served by the real server's ui:// resource in a sandboxed iframe on a second origin, and forwards the
// widget's tool calls to that server.
import { describe } from "bun:test"
import { existsSync, mkdirSync } from "node:fs"
import { join } from "node:path"
import { type Browser, type BrowserContext, chromium, type Frame, type Page } from "playwright-core"
import type { ServiceDeps } from "@/core/services"
import { GALLERY_URI, VIEWER_URI } from "@/mcp/tools/browse-gallery"
import { connect, type McpTestEnv } from "../helpers/mcp"
import { cspHeader, startHostServer } from "./harness-server"
import type { HostOpenOptions } from "./host/protocol"

export const chromiumPath: string | undefined = existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined

/** `describe` when Chromium is installed; otherwise the suite is skipped with a message that says why. */
export function describeBrowser(name: string, fn: () => void): void {
  if (chromiumPath) {
    describe(name, fn)
    return
  }
  console.warn(
    `\n⚠ SKIPPED browser tests "${name}": Chromium is not installed at /usr/bin/chromium ` +
      "(npm test installs the Debian chromium package when run as root with apt-get).\n",
  )
  describe.skip(name, fn)
}

export const SCREENSHOT_DIR = join(import.meta.dir, "..", "..", "test-output", "screenshots")

export interface OpenOptions {
  /** The tool the host calls through the real server; its input goes to the widget, then its result. */
  tool: string
  args?: Record<string, unknown>
  hostContext?: Record<string, unknown>
  capabilities?: { downloadFile?: boolean; openLinks?: boolean }
  /** Iframe size in CSS pixels. @default 640 × 400 (the height follows the widget's size reports) */
  width?: number
  height?: number
  /** Send only the tool input (waiting state), or the input then a cancellation. */
  deliver?: "input-only" | "cancelled"
  /** Reason sent with `deliver: "cancelled"`. */
  cancelReason?: string
  /** The host answers ui/download-file with an error (to test the viewer's fallback). */
  failDownloads?: boolean
  /** A new browser context (empty localStorage) instead of the host's shared one. */
  freshContext?: boolean
  /** The iframe sandbox allows alert()/confirm() (`allow-modals`); without it browsers ignore them. @default true */
  modals?: boolean
}

export interface WidgetEvents {
  downloads: unknown[]
  openedLinks: string[]
  displayModes: string[]
  sizes: number[]
  /** Widths the widget reported (none while auto-resize is off). */
  widths: number[]
  toolCalls: { name: string; args: unknown }[]
}

export interface OpenWidget {
  page: Page
  /** The widget's iframe. */
  frame: Frame
  events: WidgetEvents
  /** The result the host delivered for `opts.tool` (undefined with `deliver`). */
  result: unknown
  sendToolResult(result: unknown): Promise<void>
  /** Merges `ctx` into the host context and notifies the widget of what changed. */
  setHostContext(ctx: Record<string, unknown>): Promise<void>
  /** Writes test-output/screenshots/<name>.png (the iframe only). */
  screenshot(name: string): Promise<string>
  /** alert/confirm texts, in order. */
  dialogs: string[]
  /** What confirm() answers. @default true */
  confirmAnswer: boolean
  /** console.error/warn output and uncaught errors of the page and widget. */
  consoleMessages: string[]
}

export interface WidgetHost {
  env: McpTestEnv
  open(widget: "viewer" | "gallery", opts: OpenOptions): Promise<OpenWidget>
  close(): Promise<void>
}

const WIDGET_URIS = { viewer: VIEWER_URI, gallery: GALLERY_URI } as const

/** The host page's API (test/browser/host/host.ts); written out inline because page functions are serialised. */
interface HostWindow {
  widgetHost: {
    open(opts: HostOpenOptions): Promise<void>
    sendToolInput(args: Record<string, unknown>): Promise<void>
    sendToolResult(result: unknown): Promise<void>
    sendToolCancelled(reason?: string): Promise<void>
    setHostContext(ctx: Record<string, unknown>): void
  }
}

/**
 * Starts the real server (in process; over "http" when BASE_URL is set, so create_download_link exists), the
 * host and sandbox HTTP servers, and one Chromium for the test file.
 */
export async function startWidgetHost(
  opts: { env?: Record<string, string>; deps?: ServiceDeps; transport?: "stdio" | "http" } = {},
): Promise<WidgetHost> {
  if (!chromiumPath) throw new Error("Chromium is not installed at /usr/bin/chromium")
  const transport = opts.transport ?? (opts.env?.IMAGE_GENERATION_MCP_BASE_URL ? "http" : "stdio")
  const env = await connect({ env: opts.env, deps: opts.deps, transport })
  const widgets = new Map<string, { html: string; csp: string }>()
  const hostServer = await startHostServer((params) => env.client.callTool(params))
  const sandbox = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const { pathname } = new URL(request.url)
      if (pathname === "/favicon.ico") return new Response(null, { status: 204 })
      const widget = widgets.get(pathname.replace(/^\/widget\//, ""))
      if (!widget) return new Response("Not Found", { status: 404 })
      const headers = { "content-type": "text/html; charset=utf-8", "content-security-policy": widget.csp }
      return new Response(widget.html, { headers })
    },
  })
  const browser: Browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    chromiumSandbox: false,
    args: ["--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  })
  let shared: BrowserContext | undefined

  const open = async (name: "viewer" | "gallery", o: OpenOptions): Promise<OpenWidget> => {
    const read = await env.client.readResource({ uri: WIDGET_URIS[name] })
    const content = read.contents[0]
    if (!content || !("text" in content)) throw new Error(`${WIDGET_URIS[name]} has no text`)
    const token = crypto.randomUUID()
    widgets.set(token, { html: content.text, csp: cspHeader(content._meta) })

    const width = o.width ?? 640
    if (!shared) shared = await browser.newContext()
    const context = o.freshContext ? await browser.newContext() : shared
    const page = await context.newPage()
    await page.setViewportSize({ width, height: Math.max(o.height ?? 400, 900) })
    const widget = await track(page)
    await page.goto(hostServer.url.href)
    const hostOptions: HostOpenOptions = {
      src: `http://127.0.0.1:${sandbox.port}/widget/${token}`,
      hostContext: { theme: "light", displayMode: "inline", availableDisplayModes: ["inline"], ...o.hostContext },
      capabilities: o.capabilities ?? {},
      width,
      height: o.height ?? 400,
      failDownloads: o.failDownloads,
      modals: o.modals ?? true,
    }
    await page.evaluate((h) => (globalThis as unknown as HostWindow).widgetHost.open(h), hostOptions)
    const frame = await (await page.waitForSelector("iframe")).contentFrame()
    if (!frame) throw new Error("The widget iframe has no frame")
    const args = o.args ?? {}
    await page.evaluate((a) => (globalThis as unknown as HostWindow).widgetHost.sendToolInput(a), args)
    let result: unknown
    if (o.deliver === "cancelled")
      await page.evaluate((r) => (globalThis as unknown as HostWindow).widgetHost.sendToolCancelled(r), o.cancelReason)
    else if (o.deliver !== "input-only") {
      result = await env.client.callTool({ name: o.tool, arguments: args })
      await page.evaluate((r) => (globalThis as unknown as HostWindow).widgetHost.sendToolResult(r), result)
    }
    const rest: Omit<OpenWidget, keyof typeof widget> = {
      page,
      frame,
      result,
      sendToolResult: (r) =>
        page.evaluate((x) => (globalThis as unknown as HostWindow).widgetHost.sendToolResult(x), r),
      setHostContext: (ctx) =>
        page.evaluate((c) => (globalThis as unknown as HostWindow).widgetHost.setHostContext(c), ctx),
      screenshot: async (name) => {
        mkdirSync(SCREENSHOT_DIR, { recursive: true })
        const path = join(SCREENSHOT_DIR, `${name}.png`)
        await page.locator("iframe").screenshot({ path })
        return path
      },
    }
    return Object.assign(widget, rest)
  }

  return {
    env,
    open,
    async close() {
      await browser.close()
      await hostServer.stop(true)
      await sandbox.stop(true)
      await env[Symbol.asyncDispose]()
    },
  }
}

/** Records what the page's widget asks the host for, its dialogs and its console errors. */
async function track(
  page: Page,
): Promise<Pick<OpenWidget, "events" | "dialogs" | "confirmAnswer" | "consoleMessages">> {
  const state = {
    events: { downloads: [], openedLinks: [], displayModes: [], sizes: [], widths: [], toolCalls: [] } as WidgetEvents,
    dialogs: [] as string[],
    confirmAnswer: true,
    consoleMessages: [] as string[],
  }
  page.on("dialog", (dialog) => {
    state.dialogs.push(dialog.message())
    const accept = dialog.type() !== "confirm" || state.confirmAnswer
    void (accept ? dialog.accept() : dialog.dismiss())
  })
  page.on("console", (msg) => {
    const text = msg.text()
    // The host's own sandbox choice (a second origin makes allow-same-origin safe), not the widget's doing.
    if (text.includes("can escape its sandboxing")) return
    if (msg.type() === "error" || msg.type() === "warning") state.consoleMessages.push(text)
  })
  page.on("pageerror", (error) => state.consoleMessages.push(String(error)))
  await page.exposeFunction("__hostEvent", (kind: string, payload: unknown) => {
    const { events } = state
    if (kind === "toolCall") events.toolCalls.push(payload as { name: string; args: unknown })
    else if (kind === "size") events.sizes.push(payload as number)
    else if (kind === "width") events.widths.push(payload as number)
    else if (kind === "openLink") events.openedLinks.push(payload as string)
    else if (kind === "download") events.downloads.push(payload)
    else if (kind === "displayMode") events.displayModes.push(payload as string)
  })
  return state
}
