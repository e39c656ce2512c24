// One prompt on ComfyUI, from POST /prompt to its images. ComfyUI runs one prompt at a time for every client; the
// WebSocket tells ours apart by prompt_id, and /history and /queue say the same when the socket is gone. Cancel and
// time-out stop only our prompt: removed from the queue while it waits, interrupted (POST /interrupt with our
// prompt_id) while it runs, never while another prompt runs. See docs/decisions.md#comfyui-stops-only-ours and
// docs/decisions.md#comfyui-socket-and-history.
import { raceAbort } from "@/util/abort"
import { createLogger } from "@/util/log"
import { ProviderConnectionError, ProviderError } from "../errors"
import type { BackgroundWork } from "../local/background"
import type { PreviewCallback, ProgressCallback } from "../types"
import type { ApiWorkflow } from "./bindings"
import { executionFailed, interruptedUpstream, promptRefused, unreadable, upstreamError } from "./errors"
import { type ComfyClient, type ComfyResponse, json, PROVIDER, request, sleep } from "./http"
import type { Catalog } from "./object-info"
import { type HistoryEntry, type ImageRef, readHistory, readQueue } from "./records"
import type { ComfyMessage, ComfySocket } from "./socket"

const log = createLogger(PROVIDER)
const TIMEOUT_SETTING = "IMAGE_GENERATION_MCP_COMFYUI_TIMEOUT_S"
/** With the socket open, /history is still checked this often, so a socket that stalls silently cannot hang a job. */
const SAFETY_POLL_MS = 5000
/** Polls that find our prompt neither queued, running nor in the history before concluding it was deleted. */
const MISSING_POLLS = 3

export interface PromptRun {
  client: ComfyClient
  socket: ComfySocket
  graph: ApiWorkflow
  /** The node whose images are the result. */
  output: string
  signal: AbortSignal
  /** How long the prompt may run, from its start. */
  timeoutMs: number
  pollMs: number
  onProgress?: ProgressCallback
  /** Set when live previews are wanted: the step previews ComfyUI sends for our prompt go here. */
  onPreview?: PreviewCallback
  catalog?: Catalog
  background: BackgroundWork
}

export interface PromptOutcome {
  promptId: string
  images: ImageRef[]
}

/** Submits the prompt and follows it to its images; see the file comment for cancel and time-out. */
export async function runPrompt(run: PromptRun): Promise<PromptOutcome> {
  run.signal.throwIfAborted()
  const inbox = new Inbox()
  const wanted = crypto.randomUUID()
  const live = await run.socket.open(Math.min(run.client.requestTimeoutMs, 5000))
  const follow = (promptId: string) => {
    if (!live) return () => {}
    const offMessages = run.socket.subscribe(promptId, inbox.push)
    const offPreviews = run.onPreview ? run.socket.onPreview(promptId, previewer(run.onPreview)) : () => {}
    return () => {
      offMessages()
      offPreviews()
    }
  }
  let unsubscribe = follow(wanted)
  const offDrop = run.socket.onDrop(inbox.wake)
  const offStatus = run.socket.onStatus(inbox.queueChanged)
  try {
    const promptId = await submit(run, wanted)
    if (promptId !== wanted) {
      // A ComfyUI before 0.3.45 ignores the prompt_id we ask for and picks its own (subscribed first, so the
      // socket never looks idle in between).
      const previous = unsubscribe
      unsubscribe = follow(promptId)
      previous()
    }
    try {
      return await followPrompt(run, promptId, inbox)
    } catch (error) {
      // Cancelled (in the loop or during a poll): hang up at once, stop our prompt in the background.
      if (run.signal.aborted) run.background.start((signal) => stopPrompt(run.client, promptId, signal))
      throw error
    }
  } finally {
    unsubscribe()
    offDrop()
    offStatus()
  }
}

/**
 * POST /prompt. A cancel rejects at once, but the request itself is left to finish: ComfyUI may queue the prompt
 * anyway, and only its answer names the prompt to stop on a ComfyUI that ignores the prompt_id we ask for.
 */
async function submit(run: PromptRun, wanted: string): Promise<string> {
  // Without live previews, ComfyUI versions that read a per-prompt preview_method (after 0.3.64) decode none for
  // ours; with them, the server's own --preview-method decides (docs/decisions.md#live-previews-transient).
  const extra = run.onPreview ? {} : { extra_data: { preview_method: "none" } }
  const body = { prompt: run.graph, client_id: run.socket.clientId, prompt_id: wanted, ...extra }
  const posting = request(run.client, "/prompt", { json: body })
  let response: ComfyResponse
  try {
    response = await raceAbort(posting, run.signal)
  } catch (error) {
    if (run.signal.aborted) {
      run.background.start(async (signal) => {
        const answer = await posting.catch(() => undefined)
        const queued = answer?.status === 200 ? promptIdOf(answer) : undefined
        if (queued) await stopPrompt(run.client, queued, signal)
      })
    }
    throw error
  }
  if (response.status === 400) throw promptRefused(run.client, response, run.catalog)
  if (response.status !== 200) throw upstreamError(run.client, "/prompt", response)
  const promptId = promptIdOf(response)
  if (!promptId) throw unreadable(run.client, "/prompt", response)
  run.onProgress?.(0, "Queued on ComfyUI")
  return promptId
}

function promptIdOf(response: ComfyResponse): string | undefined {
  const answer = json(response) as { prompt_id?: unknown } | undefined
  return typeof answer?.prompt_id === "string" ? answer.prompt_id : undefined
}

/** What we know of our prompt. */
interface Tracker {
  startedAt?: number
  /** Set once ComfyUI says the prompt ended; the history then has (or soon has) its outputs. */
  ended?: "success" | { error: ProviderError }
  /** Whether /history was asked since the socket said the prompt ended. */
  askedAfterEnd?: boolean
  missing: number
}

async function followPrompt(run: PromptRun, promptId: string, inbox: Inbox): Promise<PromptOutcome> {
  const tracker: Tracker = { missing: 0 }
  const report = reporter(run)
  const aborted = new Promise<void>((resolve) => run.signal.addEventListener("abort", () => resolve(), { once: true }))
  // With the socket open, messages say how the prompt goes; /history is only the safety net.
  let lastPoll = run.socket.connected ? performance.now() : 0
  for (;;) {
    run.signal.throwIfAborted()
    for (const message of inbox.drain()) handleMessage(run, message, tracker, report)
    if (tracker.ended && tracker.ended !== "success") throw tracker.ended.error
    const now = performance.now()
    if (tracker.startedAt !== undefined && now >= tracker.startedAt + run.timeoutMs) {
      return timeOut(run, promptId)
    }
    // While our prompt waits, a change of the queue (ComfyUI's `status`) may be its removal: look at once.
    const waiting = tracker.startedAt === undefined && inbox.takeQueueChange()
    // Once the socket says the prompt ended, its outputs are in /history (or about to be): ask at once.
    const ended = tracker.ended === "success" && !tracker.askedAfterEnd
    const pollEvery = run.socket.connected && !tracker.ended && !waiting ? SAFETY_POLL_MS : run.pollMs
    if (now - lastPoll >= pollEvery || waiting || ended) {
      lastPoll = now
      if (ended) tracker.askedAfterEnd = true
      const done = await poll(run, promptId, tracker, report)
      if (done) return done
      continue
    }
    const deadline = tracker.startedAt === undefined ? Number.POSITIVE_INFINITY : tracker.startedAt + run.timeoutMs
    const wait = Math.max(0, Math.min(lastPoll + pollEvery, deadline) - performance.now())
    await Promise.race([inbox.next(), sleep(wait, run.signal), aborted])
  }
}

function handleMessage(run: PromptRun, message: ComfyMessage, tracker: Tracker, report: Reporter): void {
  const { type, data } = message
  if (type === "execution_start") {
    tracker.startedAt ??= performance.now()
    report(0, "Running on ComfyUI")
  } else if (type === "executing" && typeof data.node === "string") {
    tracker.startedAt ??= performance.now()
    const node = run.graph[data.node]
    if (node) report(undefined, `Running ${node._meta?.title ?? node.class_type}`)
  } else if (type === "progress" && typeof data.value === "number" && typeof data.max === "number") {
    const node = typeof data.node === "string" ? run.graph[data.node] : undefined
    const sampler = !node || /Sampler/.test(node.class_type)
    const label = sampler ? "Step" : (node._meta?.title ?? node.class_type)
    report(data.max > 0 ? data.value / data.max : 0, `${label} ${data.value}/${data.max}`)
  } else if (type === "execution_success" || (type === "executing" && data.node === null)) {
    tracker.ended ??= "success"
  } else if (type === "execution_error") {
    tracker.ended = { error: executionFailed(data) }
  } else if (type === "execution_interrupted") {
    tracker.ended = { error: interruptedUpstream() }
  }
}

/**
 * Asks where our prompt is: /queue while it may still wait or run, /history once it is in neither (or the socket
 * said it ended). Returns the outcome once it has ended.
 */
async function poll(run: PromptRun, promptId: string, tracker: Tracker, report: Reporter) {
  if (tracker.ended !== "success") {
    const queue = await readQueue(run.client, run.signal)
    if (queue.running.includes(promptId)) {
      tracker.missing = 0
      if (tracker.startedAt === undefined) {
        tracker.startedAt = performance.now()
        report(0, "Running on ComfyUI")
      }
      return undefined
    }
    if (queue.pending.includes(promptId)) {
      tracker.missing = 0
      const ahead = queue.pending.indexOf(promptId) + queue.running.length
      report(0, `Queued on ComfyUI (${ahead} prompt(s) ahead)`)
      return undefined
    }
  }
  const entry = await readHistory(run.client, promptId, run.signal)
  if (entry) return finished(run, promptId, entry)
  if (tracker.ended === "success") {
    if (++tracker.missing < MISSING_POLLS * 5) return undefined
    throw new ProviderError(PROVIDER, "ComfyUI reported the prompt done but has no history entry for it.", {
      kind: "unavailable",
      code: "no_history",
    })
  }
  // Neither waiting, running nor done: ComfyUI moves a prompt between them under one lock, so after a few polls
  // it was deleted.
  if (++tracker.missing >= MISSING_POLLS) {
    throw new ProviderError(
      PROVIDER,
      "The ComfyUI prompt was removed from the queue before it ran (from ComfyUI's queue panel or by another client). Try again.",
      { kind: "unavailable", code: "removed_from_queue" },
    )
  }
  return undefined
}

function finished(run: PromptRun, promptId: string, entry: HistoryEntry): PromptOutcome {
  if (entry.status === "error") {
    throw entry.error ? executionFailed(entry.error) : entry.interrupted ? interruptedUpstream() : executionFailed({})
  }
  const images = entry.outputs[run.output] ?? []
  if (!images.length) {
    const node = run.graph[run.output]
    throw new ProviderError(
      PROVIDER,
      `ComfyUI finished, but node ${run.output} (${node?.class_type ?? "?"}) produced no image.`,
      { code: "no_image" },
    )
  }
  return { promptId, images }
}

/** The prompt ran out of time: interrupt it (unless it has just finished) and fail. */
async function timeOut(run: PromptRun, promptId: string): Promise<PromptOutcome> {
  const signal = AbortSignal.timeout(Math.max(5000, run.client.requestTimeoutMs))
  const entry = await readHistory(run.client, promptId, signal).catch(() => undefined)
  if (entry) return finished(run, promptId, entry)
  const stopped = await stopPrompt(run.client, promptId, signal).catch(() => "failed" as const)
  const seconds = Number((run.timeoutMs / 1000).toFixed(3))
  const after =
    stopped === "interrupted" ? "and was interrupted on ComfyUI" : "and could not be interrupted; ComfyUI may finish it"
  throw new ProviderConnectionError(
    PROVIDER,
    `ComfyUI prompt timed out: it ran for more than ${seconds}s (${TIMEOUT_SETTING}) ${after}. Raise ${TIMEOUT_SETTING} for slow models or large sizes.`,
  )
}

/**
 * Stops our prompt only: removes it from the queue while it waits, interrupts it while it runs. The interrupt
 * carries our prompt_id (ComfyUI 0.3.57 and later ignore it for any other prompt) and is sent only after /queue
 * showed ours running, since older versions stop whatever runs.
 */
export async function stopPrompt(
  client: ComfyClient,
  promptId: string,
  signal: AbortSignal,
): Promise<"deleted" | "interrupted" | "gone"> {
  let queue = await readQueue(client, signal)
  if (queue.pending.includes(promptId)) {
    await request(client, "/queue", { json: { delete: [promptId] }, signal })
    queue = await readQueue(client, signal)
    if (!queue.running.includes(promptId)) {
      log.info("Removed our prompt from the ComfyUI queue", { prompt_id: promptId })
      return "deleted"
    }
  }
  if (!queue.running.includes(promptId)) return "gone"
  const response = await request(client, "/interrupt", { json: { prompt_id: promptId }, signal })
  if (response.status !== 200) throw upstreamError(client, "/interrupt", response)
  log.info("Interrupted our prompt on ComfyUI", { prompt_id: promptId })
  return "interrupted"
}

/** `onPreview` guarded: a viewer that throws does not stop the socket. */
function previewer(onPreview: PreviewCallback): PreviewCallback {
  return (image) => {
    try {
      onPreview(image)
    } catch (error) {
      log.debug("preview callback failed", { error: String(error) })
    }
  }
}

type Reporter = (fraction: number | undefined, message: string) => void

function reporter(run: PromptRun): Reporter {
  let fraction = 0
  let last = ""
  return (next, message) => {
    if (!run.onProgress) return
    if (next !== undefined) fraction = Math.min(1, Math.max(0, next))
    if (message === last) return
    last = message
    try {
      run.onProgress(fraction, message)
    } catch (error) {
      log.debug("progress callback failed", { error: String(error) })
    }
  }
}

/** Messages for one prompt, with a wake-up for the loop waiting on them. */
class Inbox {
  private items: ComfyMessage[] = []
  private waiter: (() => void) | undefined

  push = (message: ComfyMessage): void => {
    this.items.push(message)
    this.wake()
  }

  private changed = false

  queueChanged = (): void => {
    this.changed = true
    this.wake()
  }

  /** Whether the queue changed since the last call. */
  takeQueueChange(): boolean {
    const changed = this.changed
    this.changed = false
    return changed
  }

  wake = (): void => {
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.()
  }

  drain(): ComfyMessage[] {
    return this.items.splice(0)
  }

  next(): Promise<void> {
    if (this.items.length) return Promise.resolve()
    return new Promise((resolve) => {
      this.waiter = resolve
    })
  }
}
