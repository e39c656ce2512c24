// ComfyUI's WebSocket (server.py websocket_handler): one socket per client id; execution messages for prompts
// submitted with that client_id arrive on it as `{type, data}` text frames (`data.prompt_id` says which prompt).
// Step previews arrive as binary frames (server.py send_image, encode_bytes; main.py hijack_progress, 0.3.64): a
// 4-byte big-endian event type (1 = PREVIEW_IMAGE), a 4-byte image type (1 = JPEG, 2 = PNG), then the image. A
// client that announces `supports_preview_metadata` gets type 4 frames instead; we announce nothing. A preview
// names no prompt: it belongs to the prompt running for our client, which ComfyUI runs one at a time. A new
// connection with the same id replaces the old one.
import { createLogger } from "@/util/log"
import type { PreviewImage } from "../types"
import { type ComfyClient, PROVIDER, socketUrl } from "./http"

const log = createLogger(PROVIDER)

export interface ComfyMessage {
  type: string
  data: Record<string, unknown>
}

/** Messages kept for prompts nobody listens to yet (a prompt id only known once POST /prompt answers). */
const RECENT_LIMIT = 200
/** An idle socket stays open this long, so back-to-back generations do not reconnect. */
const IDLE_CLOSE_MS = 30_000

/** protocol.py BinaryEventTypes.PREVIEW_IMAGE, and send_image's image types. */
const PREVIEW_IMAGE = 1
const IMAGE_TYPES: Record<number, string> = { 1: "image/jpeg", 2: "image/png" }
const ENDED = new Set(["execution_success", "execution_error", "execution_interrupted"])

export class ComfySocket {
  readonly clientId: string
  private readonly client: ComfyClient
  private ws: WebSocket | undefined
  private opening: Promise<boolean> | undefined
  private readonly subscribers = new Map<string, (message: ComfyMessage) => void>()
  private readonly dropListeners = new Set<() => void>()
  private readonly statusListeners = new Set<() => void>()
  private readonly previewListeners = new Map<string, (image: PreviewImage) => void>()
  /** The prompt of ours ComfyUI runs now, from execution_start until it ends. */
  private running: string | undefined
  private recent: ComfyMessage[] = []
  private idleTimer: ReturnType<typeof setTimeout> | undefined

  constructor(client: ComfyClient, clientId: string) {
    this.client = client
    this.clientId = clientId
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN
  }

  /** Opens the socket when it is not open; resolves false when it cannot be opened in time (the caller polls). */
  open(timeoutMs: number): Promise<boolean> {
    if (this.connected) return Promise.resolve(true)
    this.opening ??= this.connect(timeoutMs).finally(() => {
      this.opening = undefined
    })
    return this.opening
  }

  private connect(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const headers: Record<string, string> = {}
      if (this.client.authorization) headers.authorization = this.client.authorization
      let ws: WebSocket
      try {
        ws = new WebSocket(socketUrl(this.client, this.clientId), { headers })
      } catch (error) {
        log.debug("ComfyUI WebSocket could not be created", { error: String(error) })
        return resolve(false)
      }
      ws.binaryType = "arraybuffer"
      let opened = false
      const timer = setTimeout(() => {
        if (!opened) ws.close()
        resolve(false)
      }, timeoutMs)
      ws.addEventListener("open", () => {
        opened = true
        clearTimeout(timer)
        this.ws = ws
        resolve(true)
      })
      ws.addEventListener("message", (event) => this.receive(event.data))
      ws.addEventListener("close", () => {
        clearTimeout(timer)
        if (!opened) return resolve(false)
        if (this.ws === ws) this.ws = undefined
        if (this.subscribers.size) log.info("ComfyUI WebSocket closed; following prompts by polling")
        for (const listener of this.dropListeners) listener()
      })
    })
  }

  private receive(data: unknown): void {
    if (data instanceof ArrayBuffer) {
      this.receivePreview(data)
      return
    }
    if (typeof data !== "string") return
    let message: ComfyMessage
    try {
      const parsed = JSON.parse(data) as { type?: unknown; data?: unknown }
      if (typeof parsed.type !== "string" || !parsed.data || typeof parsed.data !== "object") return
      message = { type: parsed.type, data: parsed.data as Record<string, unknown> }
    } catch {
      return
    }
    if (message.type === "status") {
      for (const listener of this.statusListeners) listener()
      return
    }
    const promptId = message.data.prompt_id
    if (typeof promptId !== "string") return
    this.track(message, promptId)
    const subscriber = this.subscribers.get(promptId)
    if (subscriber) {
      subscriber(message)
      return
    }
    this.recent.push(message)
    if (this.recent.length > RECENT_LIMIT) this.recent = this.recent.slice(-RECENT_LIMIT)
  }

  private track({ type, data }: ComfyMessage, promptId: string): void {
    if (type === "execution_start" || (type === "executing" && data.node !== null)) this.running = promptId
    // execution_success and the like, or `executing` with node null: the prompt has ended.
    else if (this.running === promptId && (ENDED.has(type) || type === "executing")) this.running = undefined
  }

  /** A binary frame: a step preview of the prompt running now, handed on only when someone wants its previews. */
  private receivePreview(data: ArrayBuffer): void {
    const listener = this.running === undefined ? undefined : this.previewListeners.get(this.running)
    if (!listener || data.byteLength <= 8) return
    const view = new DataView(data)
    if (view.getUint32(0) !== PREVIEW_IMAGE) return
    const contentType = IMAGE_TYPES[view.getUint32(4)]
    if (!contentType) return
    listener({ data: new Uint8Array(data, 8), contentType })
  }

  /** Hands the step previews of one prompt to `listener` while it runs; returns the unsubscribe. */
  onPreview(promptId: string, listener: (image: PreviewImage) => void): () => void {
    this.previewListeners.set(promptId, listener)
    return () => {
      if (this.previewListeners.get(promptId) === listener) this.previewListeners.delete(promptId)
    }
  }

  /** Delivers the messages of one prompt (those that came before the call first); returns the unsubscribe. */
  subscribe(promptId: string, handler: (message: ComfyMessage) => void): () => void {
    clearTimeout(this.idleTimer)
    this.subscribers.set(promptId, handler)
    const [earlier, others] = partition(this.recent, (m) => m.data.prompt_id === promptId)
    this.recent = others
    for (const message of earlier) handler(message)
    return () => {
      if (this.subscribers.get(promptId) === handler) this.subscribers.delete(promptId)
      if (this.subscribers.size) return
      clearTimeout(this.idleTimer)
      this.idleTimer = setTimeout(() => this.close(), IDLE_CLOSE_MS)
      this.idleTimer.unref?.()
    }
  }

  /** Calls `listener` on every `status` message: the queue changed (a prompt added, started, ended or deleted). */
  onStatus(listener: () => void): () => void {
    this.statusListeners.add(listener)
    return () => this.statusListeners.delete(listener)
  }

  /** Calls `listener` when an open socket closes. */
  onDrop(listener: () => void): () => void {
    this.dropListeners.add(listener)
    return () => this.dropListeners.delete(listener)
  }

  close(): void {
    clearTimeout(this.idleTimer)
    const ws = this.ws
    this.ws = undefined
    this.recent = []
    this.running = undefined
    ws?.close()
  }
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = []
  const no: T[] = []
  for (const item of items) (test(item) ? yes : no).push(item)
  return [yes, no]
}
