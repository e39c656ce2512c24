// The browser side of the widget test host: an MCP Apps host in miniature. It loads one widget in a sandboxed
// iframe on another origin, talks to it through AppBridge, forwards its tool calls to the harness server (which
// calls the real MCP server) and reports everything the widget asks for to the test through `__hostEvent`.
import {
  AppBridge,
  type McpUiHostCapabilities,
  type McpUiHostContext,
  PostMessageTransport,
} from "@modelcontextprotocol/ext-apps/app-bridge"
import type { CallToolResult, ReadResourceResult } from "@modelcontextprotocol/sdk/types.js"
import type { HostEventKind, HostOpenOptions } from "./protocol"

interface HostApi {
  open(opts: HostOpenOptions): Promise<void>
  sendToolInput(args: Record<string, unknown>): Promise<void>
  sendToolResult(result: Record<string, unknown>): Promise<void>
  sendToolCancelled(reason?: string): Promise<void>
  setHostContext(ctx: McpUiHostContext): void
  /** Once no tool call is in flight and its answer has gone out, asks the widget to answer with `marker`. */
  ping(marker: number, delayMs: number): Promise<void>
}

declare global {
  interface Window {
    widgetHost: HostApi
    __hostEvent(kind: HostEventKind, payload: unknown): Promise<void>
  }
}

let bridge: AppBridge | undefined
let widgetWindow: Window | undefined
let context: McpUiHostContext = {}
let callsInFlight = 0

function report(kind: HostEventKind, payload: unknown): void {
  window.__hostEvent(kind, payload).catch(() => {})
}

function connected(): AppBridge {
  if (!bridge) throw new Error("No widget is open")
  return bridge
}

async function open(opts: HostOpenOptions): Promise<void> {
  context = opts.hostContext
  const caps: McpUiHostCapabilities = {
    serverTools: {},
    logging: {},
    ...(opts.capabilities.downloadFile && { downloadFile: {} }),
    ...(opts.capabilities.openLinks && { openLinks: {} }),
    ...(opts.capabilities.serverResources && { serverResources: {} }),
  }
  const iframe = document.createElement("iframe")
  iframe.title = "Widget"
  // A second origin makes allow-same-origin safe, as hosts with a sandbox domain do (it gives the widget storage).
  iframe.setAttribute("sandbox", `allow-scripts allow-same-origin${opts.modals ? " allow-modals" : ""}`)
  iframe.style.cssText = `width:${opts.width}px;height:${opts.height}px;border:0;display:block`
  document.body.append(iframe)
  const target = iframe.contentWindow
  if (!target) throw new Error("The iframe has no window")

  const app = new AppBridge(null, { name: "Widget Test Host", version: "1.0.0" }, caps, { hostContext: context })
  app.oncalltool = async (params) => {
    report("toolCall", { name: params.name, args: params.arguments ?? {} })
    callsInFlight++
    try {
      const response = await fetch("/call", { method: "POST", body: JSON.stringify(params) })
      if (!response.ok) throw new Error(await response.text())
      return (await response.json()) as CallToolResult
    } finally {
      callsInFlight--
    }
  }
  app.onreadresource = async ({ uri }) => {
    report("resourceRead", uri)
    callsInFlight++
    try {
      const response = await fetch("/read", { method: "POST", body: JSON.stringify({ uri }) })
      if (!response.ok) throw new Error(await response.text())
      return (await response.json()) as ReadResourceResult
    } finally {
      callsInFlight--
    }
  }
  app.onsizechange = ({ width, height }) => {
    if (height !== undefined) {
      iframe.style.height = `${height}px`
      report("size", height)
    }
    // The widgets report their height only (auto-resize off): a width here means the App measures by itself.
    if (width !== undefined) report("width", width)
  }
  app.onopenlink = async ({ url }) => {
    report("openLink", url)
    return {}
  }
  app.ondownloadfile = async (params) => {
    report("download", params)
    return opts.failDownloads ? { isError: true } : {}
  }
  app.onrequestdisplaymode = async ({ mode }) => {
    report("displayMode", mode)
    const actual = (context.availableDisplayModes ?? ["inline"]).includes(mode)
      ? mode
      : (context.displayMode ?? "inline")
    setHostContext({ ...context, displayMode: actual })
    return { mode: actual }
  }
  app.onloggingmessage = (params) => report("log", params)
  const initialized = new Promise<void>((resolve) => {
    app.oninitialized = () => resolve()
  })
  bridge = app
  widgetWindow = target
  window.addEventListener("message", (event) => {
    if (event.source === target && typeof event.data?.testPong === "number") report("pong", event.data.testPong)
  })
  // The window proxy survives the navigation, so the bridge listens before the widget's first message.
  await app.connect(new PostMessageTransport(target, target))
  iframe.src = opts.src
  await initialized
}

async function ping(marker: number, delayMs: number): Promise<void> {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 10))
  while (callsInFlight > 0) await tick()
  // The bridge posts a call's answer in the microtasks after its handler returns: all done by the next task.
  await tick()
  widgetWindow?.postMessage({ testPing: marker, delayMs }, "*")
}

function setHostContext(ctx: McpUiHostContext): void {
  context = ctx
  connected().setHostContext(ctx)
}

window.widgetHost = {
  open,
  sendToolInput: (args) => connected().sendToolInput({ arguments: args }),
  sendToolResult: (result) => connected().sendToolResult(result as Parameters<AppBridge["sendToolResult"]>[0]),
  sendToolCancelled: (reason) => connected().sendToolCancelled(reason === undefined ? {} : { reason }),
  setHostContext: (change) => setHostContext({ ...context, ...change }),
  ping,
}
