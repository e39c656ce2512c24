import { createWidgetApp } from "../shared/app"
import { browserStorage, ViewCache } from "./cache"
import { ViewerController } from "./controller"

const main = document.getElementById("main") as HTMLElement
const viewer = new ViewerController(main, new ViewCache(browserStorage()))
viewer.attach(
  createWidgetApp({ name: "Image Viewer", version: "2.0.0" }, main, {
    ontoolinput: (params) => viewer.toolInput(params.arguments),
    ontoolresult: (result) => viewer.result(result),
    ontoolcancelled: (params) => viewer.cancelled(params.reason),
  }),
)
