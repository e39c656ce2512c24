import {
  App,
  applyDocumentTheme,
  applyHostFonts,
  applyHostStyleVariables,
  type McpUiAppCapabilities,
  type McpUiHostCapabilities,
  type McpUiHostContext,
  PostMessageTransport,
} from "@modelcontextprotocol/ext-apps"

type AppHandler<K extends "ontoolinput" | "ontoolresult" | "ontoolcancelled"> = NonNullable<App[K]>

/** What a widget reacts to. Every handler is registered before the app connects, so no early message is lost. */
export interface WidgetHandlers {
  ontoolinput?: AppHandler<"ontoolinput">
  ontoolresult?: AppHandler<"ontoolresult">
  ontoolcancelled?: AppHandler<"ontoolcancelled">
  /** Called with the merged host context after theming was applied (initially and on every change). */
  onhostcontext?: (ctx: McpUiHostContext) => void
  /** False while the host sizes the widget itself (e.g. fullscreen): size reports are skipped then. */
  reportsSize?: () => boolean
}

export interface WidgetApp {
  app: App
  /** Resolves once connected and the initial host context is applied; rejects when the host never answered. */
  ready: Promise<void>
  /** Tells the host the widget's height on the next frame (auto-resize is off). */
  reportSize(): void
  hostContext(): McpUiHostContext
  hostCapabilities(): McpUiHostCapabilities
}

/**
 * Creates the widget's App (auto-resize off), registers `handlers`, host theming and error logging, then connects
 * to the parent window. Handlers may refer to the returned object: they only run after connecting.
 */
export function createWidgetApp(
  info: { name: string; version: string },
  main: HTMLElement,
  handlers: WidgetHandlers,
  capabilities: McpUiAppCapabilities = {},
): WidgetApp {
  const app = new App(info, capabilities, { autoResize: false })
  let context: McpUiHostContext = {}
  let frame = 0
  const reportSize = () => {
    cancelAnimationFrame(frame)
    if (handlers.reportsSize?.() === false) return
    frame = requestAnimationFrame(() => {
      app.sendSizeChanged({ height: Math.ceil(main.scrollHeight) }).catch(console.error)
    })
  }
  // Theme, fonts and safe-area insets change the layout, so the height is reported again after each change.
  const applyContext = (change: McpUiHostContext) => {
    context = { ...context, ...change }
    applyHostContext(change, main)
    handlers.onhostcontext?.(context)
    reportSize()
  }
  if (handlers.ontoolinput) app.ontoolinput = handlers.ontoolinput
  if (handlers.ontoolresult) app.ontoolresult = handlers.ontoolresult
  if (handlers.ontoolcancelled) app.ontoolcancelled = handlers.ontoolcancelled
  app.onhostcontextchanged = applyContext
  app.onerror = console.error

  const ready = app.connect(new PostMessageTransport(window.parent, window.parent)).then(() => {
    applyContext(app.getHostContext() ?? {})
  })
  ready.catch(console.error)
  return {
    app,
    ready,
    reportSize,
    hostContext: () => context,
    hostCapabilities: () => app.getHostCapabilities() ?? {},
  }
}

/** Theme, host CSS variables and fonts, and safe-area insets (as CSS variables the base stylesheet pads with). */
export function applyHostContext(ctx: McpUiHostContext, main: HTMLElement): void {
  if (ctx.theme) applyDocumentTheme(ctx.theme)
  if (ctx.styles?.variables) applyHostStyleVariables(ctx.styles.variables)
  if (ctx.styles?.css?.fonts) applyHostFonts(ctx.styles.css.fonts)
  const insets = ctx.safeAreaInsets
  if (insets) {
    for (const side of ["top", "right", "bottom", "left"] as const) {
      main.style.setProperty(`--safe-${side}`, `${Math.max(0, Number(insets[side]) || 0)}px`)
    }
  }
}
