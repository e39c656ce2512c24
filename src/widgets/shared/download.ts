import type { App, McpUiHostCapabilities } from "@modelcontextprotocol/ext-apps"
import { reportProblem } from "./notice"
import { errorText, resultJson, str } from "./tool-result"

/** How a widget can hand a file to the user: the host downloads it, the host opens a link, or not at all. */
export type DownloadMode = "downloadFile" | "openLink" | "none"

export const DOWNLOAD_FAILED = "Download failed — please try again."

export function downloadMode(caps: McpUiHostCapabilities | undefined): DownloadMode {
  if (caps?.downloadFile) return "downloadFile"
  if (caps?.openLinks) return "openLink"
  return "none"
}

export interface DownloadTarget {
  imageId: string
  /** The original's content type; names the file's extension. @default "image/png" */
  mime?: string
}

/**
 * Downloads an image's original. `downloadFile` mode asks the host to fetch `image://<id>/view` and falls back to a
 * one-time link (create_download_link + openLink) when that fails. Any final failure is reported to the user.
 */
export async function downloadImage(app: App, target: DownloadTarget, mode: DownloadMode): Promise<boolean> {
  if (mode === "none") return false
  try {
    if (mode === "downloadFile") {
      const ok = await viaDownloadFile(app, target).catch((error) => {
        console.warn("downloadFile failed, trying a download link:", error)
        return false
      })
      if (ok) return true
    }
    await viaLink(app, target)
    return true
  } catch (error) {
    console.warn("Download failed:", error)
    reportProblem(DOWNLOAD_FAILED)
    return false
  }
}

async function viaDownloadFile(app: App, { imageId, mime = "image/png" }: DownloadTarget): Promise<boolean> {
  const ext = mime.split("/")[1] || "png"
  const uri = `image://${imageId}/view`
  const result = await app.downloadFile({
    contents: [{ type: "resource_link", uri, name: `${imageId}.${ext}`, mimeType: mime }],
  })
  return !result.isError
}

async function viaLink(app: App, { imageId }: DownloadTarget): Promise<void> {
  const result = await app.callServerTool({
    name: "create_download_link",
    arguments: { ref: `image://${imageId}/view` },
  })
  if (result.isError) throw new Error(errorText(result))
  const url = str(result.structuredContent?.url) ?? str(resultJson(result)?.url)
  if (!url) throw new Error("create_download_link returned no url")
  const opened = await app.openLink({ url })
  if (opened.isError) throw new Error("The host refused to open the link")
}
