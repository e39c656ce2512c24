import { createWidgetApp, type WidgetApp } from "../shared/app"
import { downloadImage, downloadMode } from "../shared/download"
import { GalleryController } from "./controller"

const main = document.getElementById("main") as HTMLElement
let widget: WidgetApp | undefined

const gallery = new GalleryController(main, {
  callTool: async (name, args) => {
    if (!widget) throw new Error("Not connected to the host yet.")
    return widget.app.callServerTool({ name, arguments: args })
  },
  requestDisplayMode: async (mode) => {
    if (!widget) return "inline"
    return (await widget.app.requestDisplayMode({ mode })).mode
  },
  canDownload: () => !!widget && downloadMode(widget.hostCapabilities()) !== "none",
  download: async (item) => {
    if (!widget) return false
    const mode = downloadMode(widget.hostCapabilities())
    return downloadImage(widget.app, { imageId: item.id, mime: item.contentType }, mode)
  },
  reportSize: () => widget?.reportSize(),
})

widget = createWidgetApp({ name: "Image Gallery", version: "1.0.0" }, main, {
  ontoolinput: (params) => gallery.onToolInput(params.arguments),
  ontoolresult: (result) => gallery.onToolResult(result),
  ontoolcancelled: (params) => gallery.onToolCancelled(params.reason),
  onhostcontext: (ctx) => gallery.onHostContext(ctx),
  reportsSize: () => gallery.reportsSize,
})
