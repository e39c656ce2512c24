// Drives the real widgets in headless Chromium: a small MCP Apps host page (test/browser/host/) loads the widget
// HTML served by the real server's ui:// resource in a sandboxed iframe on a second origin, and forwards the
// widget's tool calls to that server.
import { describe, setDefaultTimeout } from "bun:test"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import type { Browser, BrowserContext, Frame, Page } from "playwright-core"
import type { ServiceDeps } from "@/core/services"
import { GALLERY_URI, VIEWER_URI } from "@/mcp/tools/browse-gallery"
import { connect, type McpTestEnv } from "../helpers/mcp"
import { STATE_DEADLINE_MS, TEST_TIMEOUT_MS, waitFor } from "../helpers/wait"
import { chromiumPath, launchChromium } from "./chromium"
import { cspHeader, startHostServer } from "./harness-server"
import type { HostOpenOptions } from "./host/protocol"

export { chromiumPath }

/**
 * `describe` when Chromium is installed; otherwise the suite is skipped with a message that says why. Its tests get
 * the generous time limit also when bun runs this file after others (a preload's limit reaches only the first).
 */
export function describeBrowser(name: string, fn: () => void): void {
  setDefaultTimeout(TEST_TIMEOUT_MS)
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
  capabilities?: { downloadFile?: boolean; openLinks?: boolean; serverResources?: boolean }
  /** Iframe size in CSS pixels. @default 640 × 400 (the height follows the widget's size reports) */
  width?: number
  height?: number
  /** Send only the tool input (waiting state), or the input then a cancellation. */
  deliver?: "input-only" | "cancelled"
  /** Reason sent with `deliver: "cancelled"`. */
  cancelReason?: string
  /** The host answers ui/download-file with an error (to test the viewer's fallback). */
  failDownloads?: boolean
  /** A browser context of its own (empty localStorage) instead of the one this test's other widgets share. */
  freshContext?: boolean
  /** The iframe sandbox allows alert()/confirm() (`allow-modals`); without it browsers ignore them. @default true */
  modals?: boolean
}

export interface WidgetEvents {
  /** Markers of the widget's answers to `settled`. */
  pongs: number[]
  downloads: unknown[]
  openedLinks: string[]
  displayModes: string[]
  sizes: number[]
  /** Widths the widget reported (none while auto-resize is off). */
  widths: number[]
  toolCalls: { name: string; args: unknown }[]
  /** URIs the widget read through the host's resource proxy. */
  resourceReads: string[]
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
  /**
   * Resolves once the widget has handled everything sent to it so far and the host has heard everything it sent
   * back, including what it does on its next two animation frames and in timers due within `delayMs`: the point
   * after which "nothing happened" can be asserted. Tool calls still in flight are waited for first.
   */
  settled(delayMs?: number): Promise<void>
}

export interface WidgetHost {
  env: McpTestEnv
  /** Opens a widget in a new page of this test's browser context (relaunching Chromium if it died). */
  open(widget: "viewer" | "gallery", opts: OpenOptions): Promise<OpenWidget>
  /** Closes the pages and contexts the current test opened: call it in afterEach, so each test starts clean. */
  closePages(): Promise<void>
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
    ping(marker: number, delayMs: number): Promise<void>
  }
}

/**
 * Starts the real server (in process; over "http" when BASE_URL is set, so create_download_link exists), the
 * host and sandbox HTTP servers, and one Chromium for the test file. Each test gets browser contexts of its own
 * (closed by `closePages`); Chromium is launched again when it died (bun kills it when a test times out).
 */
export async function startWidgetHost(
  opts: { env?: Record<string, string>; deps?: ServiceDeps; transport?: "stdio" | "http" } = {},
): Promise<WidgetHost> {
  if (!chromiumPath) throw new Error("Chromium is not installed at /usr/bin/chromium")
  const transport = opts.transport ?? (opts.env?.IMAGE_GENERATION_MCP_BASE_URL ? "http" : "stdio")
  const env = await connect({ env: opts.env, deps: opts.deps, transport })
  const widgets = new Map<string, { html: string; csp: string }>()
  const hostServer = await startHostServer(
    (params) => env.client.callTool(params),
    (params) => env.client.readResource(params),
  )
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
  let browser: Browser | undefined = await launchChromium()
  /** The contexts this test opened; the first is shared by its widgets that do not ask for a fresh one. */
  let contexts: BrowserContext[] = []
  let markers = 0

  const newContext = async (): Promise<BrowserContext> => {
    if (!browser?.isConnected()) {
      await browser?.close().catch(() => {})
      browser = await launchChromium()
    }
    const context = await browser.newContext()
    context.setDefaultTimeout(STATE_DEADLINE_MS)
    contexts.push(context)
    return context
  }

  const open = async (name: "viewer" | "gallery", o: OpenOptions): Promise<OpenWidget> => {
    const read = await env.client.readResource({ uri: WIDGET_URIS[name] })
    const content = read.contents[0]
    if (!content || !("text" in content)) throw new Error(`${WIDGET_URIS[name]} has no text`)
    const token = crypto.randomUUID()
    widgets.set(token, { html: content.text, csp: cspHeader(content._meta) })

    const width = o.width ?? 640
    const context = o.freshContext || !contexts[0] ? await newContext() : contexts[0]
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
      settled: async (delayMs = 0) => {
        const marker = ++markers
        const ping = { marker, delayMs }
        await page.evaluate(
          (p) => void (globalThis as unknown as HostWindow).widgetHost.ping(p.marker, p.delayMs),
          ping,
        )
        await waitFor(() => widget.events.pongs.includes(marker), "the widget to settle")
      },
    }
    await frame.evaluate(ANSWER_PINGS)
    return Object.assign(widget, rest)
  }

  const closePages = async () => {
    const closing = contexts
    contexts = []
    await Promise.all(closing.map((context) => context.close().catch(() => {})))
  }

  return {
    env,
    open,
    closePages,
    async close() {
      await closePages()
      await browser?.close().catch(() => {})
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
    events: {
      pongs: [],
      downloads: [],
      openedLinks: [],
      displayModes: [],
      sizes: [],
      widths: [],
      toolCalls: [],
      resourceReads: [],
    } as WidgetEvents,
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
    else if (kind === "resourceRead") events.resourceReads.push(payload as string)
    else if (kind === "size") events.sizes.push(payload as number)
    else if (kind === "width") events.widths.push(payload as number)
    else if (kind === "openLink") events.openedLinks.push(payload as string)
    else if (kind === "download") events.downloads.push(payload)
    else if (kind === "displayMode") events.displayModes.push(payload as string)
    else if (kind === "pong") events.pongs.push(payload as number)
  })
  return state
}

/**
 * Runs inside the widget's frame (a string: the tests have no DOM types): answers the host's ping after timers due
 * within its delay and two animation frames (size reports go out on the next one). Messages between two windows
 * arrive in order, so the answer comes after everything the widget sent before it. It is not JSON-RPC, so the
 * MCP Apps transports on both sides ignore it.
 */
const ANSWER_PINGS = `addEventListener("message", (event) => {
  const ping = event.data?.testPing
  if (event.source !== parent || typeof ping !== "number") return
  const frames = (then) => requestAnimationFrame(() => requestAnimationFrame(then))
  setTimeout(() => frames(() => parent.postMessage({ testPong: ping }, "*")), Number(event.data.delayMs) || 0)
})`
