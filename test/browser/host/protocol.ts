// Shared by the host page (browser) and the harness (Node): keep it free of DOM and Bun types.

export interface HostOpenOptions {
  /** The widget document's URL on the sandbox origin. */
  src: string
  hostContext: Record<string, unknown>
  capabilities: { downloadFile?: boolean; openLinks?: boolean; serverResources?: boolean }
  width: number
  height: number
  /** Answer ui/download-file with isError (the user cancelled, or the host failed). */
  failDownloads?: boolean
  /** Add `allow-modals` to the sandbox. */
  modals?: boolean
}

export type HostEventKind =
  | "toolCall"
  | "resourceRead"
  | "size"
  | "width"
  | "openLink"
  | "download"
  | "displayMode"
  | "log"
  | "pong"
