// The prompt queue and its single worker (execution.py PromptQueue and PromptExecutor.execute_async, main.py
// prompt_worker and hijack_progress, comfy_execution/progress.py WebUIProgressHandler; ComfyUI 0.3.64). One prompt
// runs at a time, the others wait ordered by number. Messages go to the prompt's client_id only (none when it has
// none), except `status` (everyone) and `execution_interrupted` (everyone when the prompt has no client_id).
// Outputs of nodes whose inputs did not change since the last prompt are reused (the classic cache), as
// `execution_cached` reports. The interrupt flag is cleared when a prompt starts, so one sent while idle is lost.
// With a preview method set (the server's --preview-method; cli_args.py's default is none, and 0.3.64 reads no
// per-prompt setting), every sampling step is followed by a PREVIEW_IMAGE binary frame to the prompt's client
// (everyone when it has none): event type 1, image type 1 (JPEG), then a JPEG of the batch's first image
// (latent_preview.py decodes x0[:1]) fitted into 512 px as server.py send_image does with ImageOps.contain.

import { solidPng } from "@/providers/solid-png"
import type { Folders } from "./files"
import type { Latent, NodeDef, RunContext } from "./nodes"

type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>

export interface QueueItem {
  number: number
  promptId: string
  prompt: Prompt
  extraData: Record<string, unknown>
  outputs: string[]
}

/** What the fake knows of a prompt, for tests. */
export interface PromptRecord {
  promptId: string
  clientId: string | null
  prompt: Prompt
  status: "pending" | "running" | "success" | "error" | "interrupted" | "deleted"
  stepsDone: number
  cached: string[]
  startedAt?: number
  endedAt?: number
  /** Sampling waits before this step (0-based) until released or interrupted. */
  holdAtStep?: number
  released: boolean
  /** The next sampling step raises this (a torch OOM, say). */
  raise?: { type: string; message: string }
}

export interface Timing {
  stepMs: number
  loadMs: number
  /** History is written this long after execution_success (the worker and the message loop are separate threads). */
  historyLagMs: number
}

/** The server's --preview-method. */
export type PreviewMethod = "none" | "auto" | "latent2rgb" | "taesd"

export interface Messenger {
  send(event: string, data: Record<string, unknown>, sid: string | null): void
  sendBinary(data: Uint8Array, sid: string | null): void
}

interface Cached {
  signature: string
  outputs: unknown[]
  ui?: Record<string, unknown>
}

class Interrupted extends Error {}

export class PromptQueue {
  readonly pending: QueueItem[] = []
  running: QueueItem | undefined
  readonly history = new Map<string, Record<string, unknown>>()
  readonly records = new Map<string, PromptRecord>()
  interruptFlag = false
  /** PREVIEW_IMAGE frames sent. */
  previewFrames = 0
  /** server.client_id and last_node_id: the running prompt's client and node. */
  clientId: string | null = null
  lastNodeId: string | null = null
  private readonly cache = new Map<string, Cached>()
  private wake: (() => void) | undefined
  private readonly closing: AbortSignal
  private readonly defs: () => Record<string, NodeDef>
  private readonly folders: Folders
  private readonly messenger: Messenger
  private readonly timing: () => Timing
  private readonly previewMethod: () => PreviewMethod

  constructor(opts: {
    defs: () => Record<string, NodeDef>
    folders: Folders
    messenger: Messenger
    timing: () => Timing
    previewMethod: () => PreviewMethod
    closing: AbortSignal
  }) {
    this.previewMethod = opts.previewMethod
    this.defs = opts.defs
    this.folders = opts.folders
    this.messenger = opts.messenger
    this.timing = opts.timing
    this.closing = opts.closing
    void this.worker()
  }

  get tasksRemaining(): number {
    return this.pending.length + (this.running ? 1 : 0)
  }

  queueUpdated(): void {
    this.messenger.send("status", { status: { exec_info: { queue_remaining: this.tasksRemaining } } }, null)
  }

  put(item: QueueItem): void {
    this.pending.push(item)
    this.pending.sort((a, b) => a.number - b.number)
    this.records.set(item.promptId, {
      promptId: item.promptId,
      clientId: typeof item.extraData.client_id === "string" ? item.extraData.client_id : null,
      prompt: item.prompt,
      status: "pending",
      stepsDone: 0,
      cached: [],
      released: false,
    })
    this.queueUpdated()
    this.wake?.()
  }

  /** delete_queue_item: removes the first waiting prompt with this id. */
  deletePending(promptId: string): boolean {
    const index = this.pending.findIndex((item) => item.promptId === promptId)
    if (index === -1) return false
    this.pending.splice(index, 1)
    const record = this.records.get(promptId)
    if (record) record.status = "deleted"
    this.queueUpdated()
    return true
  }

  wipe(): void {
    for (const item of this.pending.splice(0)) {
      const record = this.records.get(item.promptId)
      if (record) record.status = "deleted"
    }
    this.queueUpdated()
  }

  private async worker(): Promise<void> {
    while (!this.closing.aborted) {
      const item = this.pending.shift()
      if (!item) {
        await new Promise<void>((resolve) => {
          this.wake = resolve
          this.closing.addEventListener("abort", () => resolve(), { once: true })
        })
        this.wake = undefined
        continue
      }
      this.running = item
      this.queueUpdated()
      const record = this.records.get(item.promptId) as PromptRecord
      record.status = "running"
      record.startedAt = performance.now()
      const outcome = await this.execute(item, record)
      const lag = this.timing().historyLagMs
      if (lag > 0) await Bun.sleep(lag)
      this.history.set(item.promptId, {
        prompt: [item.number, item.promptId, item.prompt, item.extraData, item.outputs],
        outputs: outcome.outputs,
        status: {
          status_str: outcome.success ? "success" : "error",
          completed: outcome.success,
          messages: outcome.messages,
        },
        meta: outcome.meta,
      })
      record.endedAt = performance.now()
      this.running = undefined
      this.queueUpdated()
      if (this.clientId !== null)
        this.messenger.send("executing", { node: null, prompt_id: item.promptId }, this.clientId)
    }
  }

  private async execute(item: QueueItem, record: PromptRecord) {
    const { promptId, prompt } = item
    this.interruptFlag = false
    this.clientId = typeof item.extraData.client_id === "string" ? item.extraData.client_id : null
    const messages: [string, Record<string, unknown>][] = []
    const add = (event: string, data: Record<string, unknown>, broadcast: boolean) => {
      const stamped = { ...data, timestamp: Date.now() }
      messages.push([event, stamped])
      if (this.clientId !== null || broadcast) this.messenger.send(event, stamped, this.clientId)
    }
    const sendClient = (event: string, data: Record<string, unknown>) => {
      if (this.clientId !== null) this.messenger.send(event, data, this.clientId)
    }
    add("execution_start", { prompt_id: promptId }, false)
    const defs = this.defs()
    const signatures = new Map<string, string>()
    const signature = (id: string): string => {
      const known = signatures.get(id)
      if (known) return known
      const node = prompt[id] as Prompt[string]
      const inputs = Object.keys(node.inputs)
        .sort()
        .map((k) => {
          const v = node.inputs[k]
          return Array.isArray(v) && v.length === 2 && typeof v[0] === "string" ? [k, signature(v[0]), v[1]] : [k, v]
        })
      const changed = node.class_type.startsWith("LoadImage")
        ? this.folders.input.get(String(node.inputs.image))?.length
        : 0
      const sig = JSON.stringify([node.class_type, changed, inputs])
      signatures.set(id, sig)
      return sig
    }
    for (const id of this.cache.keys()) if (!(id in prompt)) this.cache.delete(id)
    const order = executionOrder(prompt, item.outputs)
    const cached = order.filter((id) => this.cache.get(id)?.signature === signature(id))
    record.cached = cached
    add("execution_cached", { nodes: cached, prompt_id: promptId }, false)
    const results = new Map<string, unknown[]>()
    const executed: string[] = []
    const progressNodes: Record<string, Record<string, unknown>> = {}
    const progressState = (id: string, state: string, value: number, max: number) => {
      progressNodes[id] = {
        value,
        max,
        state,
        node_id: id,
        prompt_id: promptId,
        display_node_id: id,
        parent_node_id: null,
        real_node_id: id,
      }
      sendClient("progress_state", { prompt_id: promptId, nodes: { ...progressNodes } })
    }
    let current = ""
    try {
      for (const id of order) {
        current = id
        const node = prompt[id] as Prompt[string]
        const def = defs[node.class_type] as NodeDef
        const hit = cached.includes(id) ? this.cache.get(id) : undefined
        if (hit) {
          results.set(id, hit.outputs)
          sendClient("executed", { node: id, display_node: id, output: hit.ui ?? null, prompt_id: promptId })
          continue
        }
        if (this.interruptFlag) throw new Interrupted()
        this.lastNodeId = id
        progressState(id, "running", 0, 1)
        sendClient("executing", { node: id, display_node: id, prompt_id: promptId })
        const inputs: Record<string, unknown> = {}
        for (const [key, value] of Object.entries(node.inputs)) {
          inputs[key] =
            Array.isArray(value) && value.length === 2 && typeof value[0] === "string"
              ? results.get(value[0])?.[value[1] as number]
              : value
        }
        const ctx = this.context(record, id, promptId, progressState)
        const { outputs, ui } = await def.run(inputs, ctx)
        results.set(id, outputs)
        this.cache.set(id, { signature: signature(id), outputs, ui })
        executed.push(id)
        progressState(id, "finished", 1, 1)
        if (ui) sendClient("executed", { node: id, display_node: id, output: ui, prompt_id: promptId })
      }
      add("execution_success", { prompt_id: promptId }, false)
      record.status = "success"
    } catch (error) {
      const node = prompt[current] as Prompt[string]
      const base = { prompt_id: promptId, node_id: current, node_type: node.class_type, executed }
      if (error instanceof Interrupted) {
        record.status = "interrupted"
        add("execution_interrupted", base, true)
      } else {
        record.status = "error"
        const type = (error as { type?: string }).type ?? "Exception"
        add(
          "execution_error",
          {
            ...base,
            exception_message: `${(error as Error).message}\n`,
            exception_type: type,
            traceback: ['  File "execution.py", line 496, in execute\n'],
            current_inputs: {},
            current_outputs: [...this.cache.keys()],
          },
          false,
        )
      }
    }
    this.lastNodeId = null
    const outputs: Record<string, unknown> = {}
    const meta: Record<string, unknown> = {}
    for (const id of Object.keys(prompt)) {
      const ui = this.cache.get(id)?.ui
      if (!ui) continue
      outputs[id] = ui
      meta[id] = { node_id: id, display_node: id, parent_node: null, real_node_id: id }
    }
    return { success: record.status === "success", outputs, meta, messages }
  }

  private context(
    record: PromptRecord,
    node: string,
    promptId: string,
    progressState: (id: string, state: string, value: number, max: number) => void,
  ): RunContext {
    const sleep = (ms: number) => (ms > 0 && !this.closing.aborted ? Bun.sleep(ms) : Promise.resolve())
    return {
      load: () => sleep(this.timing().loadMs),
      step: async (value, max, latent) => {
        while (record.holdAtStep === value - 1 && !record.released && !this.interruptFlag && !this.closing.aborted) {
          await Bun.sleep(2)
        }
        if (this.interruptFlag || this.closing.aborted) throw new Interrupted()
        if (record.raise) throw Object.assign(new Error(record.raise.message), { type: record.raise.type })
        await sleep(this.timing().stepMs)
        if (this.interruptFlag) throw new Interrupted()
        record.stepsDone = value
        const sid = this.clientId
        if (sid !== null) this.messenger.send("progress", { value, max, prompt_id: promptId, node }, sid)
        progressState(node, "running", value, max)
        if (this.previewMethod() !== "none") {
          this.previewFrames += 1
          this.messenger.sendBinary(await previewFrame(latent, value / max), sid)
        }
      },
      readInput: async (name) => {
        const { folder, path } = this.folders.resolveAnnotated(name)
        const bytes = this.folders[folder].get(path)
        if (!bytes) return undefined
        const { width, height } = await new Bun.Image(bytes).metadata()
        return { width, height }
      },
      save: (kind, prefix, png) => this.folders.save(kind, prefix, png),
    }
  }
}

/** The nodes the outputs need, each after the nodes it reads from (ExecutionList's order for a plain graph). */
function executionOrder(prompt: Prompt, outputs: readonly string[]): string[] {
  const order: string[] = []
  const seen = new Set<string>()
  const visit = (id: string) => {
    if (seen.has(id) || !prompt[id]) return
    seen.add(id)
    for (const value of Object.values(prompt[id].inputs)) {
      if (Array.isArray(value) && value.length === 2 && typeof value[0] === "string") visit(value[0])
    }
    order.push(id)
  }
  for (const id of [...outputs].sort()) visit(id)
  return order
}

/** A PREVIEW_IMAGE binary frame: event type 1, image type 1 (JPEG), then a JPEG brightening as sampling goes on. */
async function previewFrame(latent: Latent, fraction: number): Promise<Uint8Array> {
  const [width, height] = contain(latent.width, latent.height, 512)
  const level = Math.round(255 * fraction)
  const jpeg = await new Bun.Image(solidPng(width, height, [level, level, level])).jpeg({ quality: 95 }).bytes()
  const frame = new Uint8Array(8 + jpeg.length)
  const view = new DataView(frame.buffer)
  view.setUint32(0, 1)
  view.setUint32(4, 1)
  frame.set(jpeg, 8)
  return frame
}

/** PIL's ImageOps.contain: the largest size of this shape within `edge` × `edge`. */
export function contain(width: number, height: number, edge: number): [number, number] {
  if (width === height) return [edge, edge]
  return width > height ? [edge, Math.round((height / width) * edge)] : [Math.round((width / height) * edge), edge]
}
