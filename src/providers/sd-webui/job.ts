import { z } from "zod"
import { createLogger } from "@/util/log"
import { ProviderConnectionError } from "../errors"
import type { BackgroundWork } from "../local/background"
import type { PreviewCallback, PreviewImage, ProgressCallback } from "../types"
import { PROVIDER, type SdClient, type SdResponse, safeJson, send, sleep } from "./http"

const log = createLogger(PROVIDER)
const POLL_TIMEOUT_MS = 5000
/** Polls without a trace of our task before concluding that this WebUI does not track it. */
const UNSEEN_POLLS = 5

/**
 * Our job on the WebUI. The WebUI runs one job at a time, for every client and its own UI, and `/sdapi/v1/interrupt`
 * stops whichever job runs. A generation request carries `force_task_id`, and `POST /internal/progress` says whether
 * that task waits, runs or is done, so this server interrupts its own job only, and only while it runs. Without that
 * endpoint (a WebUI started with --nowebui) or without task tracking for API jobs (SD.Next), nothing tells our job
 * from another one: it is then never interrupted.
 */
export type TaskPhase = "unseen" | "queued" | "active" | "completed"
export type Poll =
  | { phase: TaskPhase; progress: number | null; eta: number | null; preview?: { image: PreviewImage; id: number } }
  | "no endpoint"
  | undefined

const InternalProgress = z.object({
  active: z.boolean(),
  queued: z.boolean(),
  completed: z.boolean(),
  progress: z.number().nullish(),
  eta: z.number().nullish(),
  live_preview: z.string().nullish().catch(null),
  id_live_preview: z.number().nullish().catch(null),
})

/** A live preview's data: URI, in the WebUI's live_previews_image_format. */
const DATA_URI = /^data:(image\/(?:png|jpeg|webp));base64,/

/**
 * Where our task stands; "no endpoint" on a 404; undefined when the poll failed or said nothing readable. With
 * `previewAfter` (the id of the last preview received, -1 for none) it asks for a newer live preview too.
 */
export async function pollTask(
  client: SdClient,
  taskId: string,
  signal: AbortSignal,
  previewAfter?: number,
): Promise<Poll> {
  // Without previewAfter: live_preview false (and id_live_preview -1 for SD.Next), so the WebUI decodes no preview.
  // With it, progress.py decodes one only when enough steps passed since its last (show_progress_every_n_steps) and
  // encodes it only when its id differs from ours.
  const asked = previewAfter !== undefined
  const body = { id_task: taskId, id_live_preview: asked ? previewAfter : -1, live_preview: asked }
  const timeoutMs = Math.min(POLL_TIMEOUT_MS, client.requestTimeoutMs)
  const response = await send(client, "/internal/progress", { method: "POST", body, signal, timeoutMs }).catch(
    () => undefined,
  )
  if (!response) return undefined
  if (response.status === 404) return "no endpoint"
  if (response.status !== 200) return undefined
  const parsed = InternalProgress.safeParse(safeJson(response.text))
  if (!parsed.success) return undefined
  const { active, queued, completed, progress, eta } = parsed.data
  const phase = active ? "active" : queued ? "queued" : completed ? "completed" : "unseen"
  const preview = asked && active ? livePreview(parsed.data.live_preview, parsed.data.id_live_preview) : undefined
  return { phase, progress: progress ?? null, eta: eta ?? null, ...(preview && { preview }) }
}

function livePreview(uri: string | null | undefined, id: number | null | undefined) {
  const contentType = uri ? DATA_URI.exec(uri)?.[1] : undefined
  if (!uri || !contentType || typeof id !== "number") return undefined
  const data = new Uint8Array(Buffer.from(uri.slice(uri.indexOf(",") + 1), "base64"))
  return data.length ? { image: { data, contentType }, id } : undefined
}

/** Stops whatever job the WebUI is running; call it only right after a poll saw our task active. */
async function interrupt(client: SdClient, taskId: string, signal: AbortSignal): Promise<boolean> {
  const response = await send(client, "/sdapi/v1/interrupt", { method: "POST", signal }).catch(() => undefined)
  const ok = response !== undefined && response.status < 300
  if (ok) log.info("Interrupted our job on the SD WebUI", { task: taskId })
  else log.warning("Could not interrupt our job on the SD WebUI", { task: taskId, status: response?.status })
  return ok
}

/**
 * After a cancel: waits while our task is queued and interrupts it once it runs (a fresh poll right before, so the
 * interrupt cannot hit a job that followed ours). Ends when the task is done, gone, or was never seen.
 */
export async function interruptWhenActive(
  client: SdClient,
  taskId: string,
  pollMs: number,
  signal: AbortSignal,
): Promise<void> {
  let misses = 0
  while (!signal.aborted && misses < UNSEEN_POLLS) {
    const poll = await pollTask(client, taskId, signal)
    if (poll === "no endpoint") return
    if (poll?.phase === "active") {
      await interrupt(client, taskId, signal)
      return
    }
    if (poll?.phase === "completed") return
    misses = poll?.phase === "queued" ? 0 : misses + 1
    await sleep(pollMs, signal)
  }
}

/** What the job runner knows of our task. */
class Tracker {
  /** "untracked": no endpoint, or our task never showed up (the WebUI does not register API jobs). */
  tracking: "unknown" | "tracked" | "untracked" = "unknown"
  noEndpoint = false
  phase: TaskPhase = "unseen"
  startedAt: number | undefined
  readonly submittedAt = performance.now()
  private unseen = 0

  update(poll: Poll): void {
    if (poll === undefined) return
    if (poll === "no endpoint") {
      this.noEndpoint = true
      this.tracking = "untracked"
      return
    }
    if (poll.phase === "unseen") {
      if (this.tracking === "unknown" && ++this.unseen >= UNSEEN_POLLS) this.tracking = "untracked"
      return
    }
    this.tracking = "tracked"
    this.phase = poll.phase
    if (poll.phase === "active") this.startedAt ??= performance.now()
  }

  /** The time-out counts from our job's start; when the WebUI cannot say, from when it was sent. */
  deadline(timeoutMs: number): number {
    if (this.startedAt !== undefined) return this.startedAt + timeoutMs
    return this.tracking === "untracked" ? this.submittedAt + timeoutMs : Number.POSITIVE_INFINITY
  }
}

export interface JobRun {
  client: SdClient
  path: string
  payload: Record<string, unknown>
  taskId: string
  signal: AbortSignal
  /** How long our job may run, from its start. */
  timeoutMs: number
  pollMs: number
  /** Sampling steps, for "Step x/y". */
  steps: number
  onProgress?: ProgressCallback
  /** Set when live previews are wanted: polls ask for one at most every `previewIntervalMs`. */
  onPreview?: PreviewCallback
  previewIntervalMs: number
  background: BackgroundWork
}

/**
 * Sends the generation and follows our task until the answer comes. A cancel hangs up at once and leaves a watcher
 * that interrupts our task if and when it runs; a time-out (counted from the start) interrupts it when it is still
 * the running job. Progress is reported only while our task is the one running.
 */
export async function runJob(run: JobRun): Promise<SdResponse> {
  run.signal.throwIfAborted()
  const http = new AbortController()
  const stop = new AbortController()
  const tracker = new Tracker()
  const report = reporter(run)
  const previews = previewer(run)
  let outcome: { response: SdResponse } | { error: unknown } | undefined
  const settled = send(run.client, run.path, {
    method: "POST",
    body: run.payload,
    signal: http.signal,
    timeoutMs: null,
  }).then(
    (response) => {
      outcome = { response }
    },
    (error: unknown) => {
      outcome = { error }
    },
  )
  const cancelled = new Promise<void>((resolve) =>
    run.signal.addEventListener("abort", () => resolve(), { once: true, signal: stop.signal }),
  )
  try {
    while (!outcome) {
      if (run.signal.aborted) {
        http.abort(run.signal.reason)
        if (tracker.tracking !== "untracked") {
          run.background.start((signal) => interruptWhenActive(run.client, run.taskId, run.pollMs, signal))
        }
        throw run.signal.reason
      }
      if (performance.now() >= tracker.deadline(run.timeoutMs)) {
        if (await timeOut(run, tracker, http, settled)) continue
      }
      if (!tracker.noEndpoint) {
        const poll = pollTask(run.client, run.taskId, stop.signal, previews.ask()).then((p) => {
          if (stop.signal.aborted) return
          tracker.update(p)
          report(tracker, p)
          previews.take(p)
        })
        await Promise.race([settled, cancelled, poll])
        if (outcome || run.signal.aborted) continue
      }
      const wait = Math.min(run.pollMs, tracker.deadline(run.timeoutMs) - performance.now())
      await Promise.race([settled, cancelled, sleep(wait, stop.signal)])
    }
  } finally {
    stop.abort()
  }
  if ("error" in outcome) throw outcome.error
  return outcome.response
}

/**
 * The job ran out of time. Returns true when our task has just completed (its answer is on the way); otherwise hangs
 * up, interrupts our task if a fresh poll shows it running, and throws.
 */
async function timeOut(run: JobRun, tracker: Tracker, http: AbortController, settled: Promise<void>): Promise<true> {
  const seconds = Number((run.timeoutMs / 1000).toFixed(3))
  const setting = "IMAGE_GENERATION_MCP_SD_WEBUI_TIMEOUT_S"
  let interrupted = false
  if (tracker.startedAt !== undefined) {
    const poll = await pollTask(run.client, run.taskId, AbortSignal.timeout(POLL_TIMEOUT_MS))
    if (poll !== undefined && poll !== "no endpoint" && poll.phase === "completed") {
      const grace = Bun.sleep(POLL_TIMEOUT_MS).then(() => false)
      if (await Promise.race([settled.then(() => true), grace])) return true
    }
    if (poll !== undefined && poll !== "no endpoint" && poll.phase === "active") {
      interrupted = await interrupt(run.client, run.taskId, AbortSignal.timeout(POLL_TIMEOUT_MS))
    }
  }
  const what =
    tracker.startedAt !== undefined
      ? `ran for more than ${seconds}s (${setting})`
      : `got no answer within ${seconds}s of being sent (${setting}; this WebUI does not say when a job starts)`
  const after = interrupted
    ? "and was interrupted on the WebUI"
    : "and could not be interrupted safely, so the WebUI will finish it on its own"
  const error = new ProviderConnectionError(
    PROVIDER,
    `SD WebUI job timed out: it ${what} ${after}. Raise ${setting} for slow checkpoints or large sizes.`,
  )
  http.abort(error)
  throw error
}

/**
 * Live previews at a modest rate: a poll asks for one only when `previewIntervalMs` passed since the last ask, and
 * names the last one received so the WebUI encodes nothing new when it has decoded nothing new.
 */
function previewer(run: JobRun): { ask(): number | undefined; take(poll: Poll): void } {
  let lastId = -1
  let lastAsk = Number.NEGATIVE_INFINITY
  return {
    ask() {
      if (!run.onPreview || performance.now() - lastAsk < run.previewIntervalMs) return undefined
      lastAsk = performance.now()
      return lastId
    },
    take(poll) {
      if (!run.onPreview || poll === undefined || poll === "no endpoint" || !poll.preview) return
      if (poll.preview.id === lastId) return
      lastId = poll.preview.id
      try {
        run.onPreview(poll.preview.image)
      } catch (error) {
        log.debug("preview callback failed", { error: String(error) })
      }
    },
  }
}

/** Reports "Step x/y (ETA ns)" while our task runs, and a waiting note while it is queued or cannot be followed. */
function reporter(run: JobRun): (tracker: Tracker, poll: Poll) => void {
  let last = ""
  return (tracker, poll) => {
    if (!run.onProgress || poll === undefined) return
    let fraction = 0
    let text: string
    if (poll !== "no endpoint" && poll.phase === "active") {
      fraction = Math.min(1, Math.max(0, poll.progress ?? 0))
      const step = `Step ${Math.round(fraction * run.steps)}/${run.steps}`
      text = poll.eta && poll.eta > 0 ? `${step} (ETA ${Math.round(poll.eta)}s)` : step
    } else if (poll !== "no endpoint" && poll.phase === "queued") {
      text = "Waiting for other jobs on the SD WebUI to finish"
    } else if (tracker.tracking === "untracked") {
      text = "Running on the SD WebUI (it does not report this job's progress)"
    } else return
    if (text === last && fraction === 0) return
    last = text
    try {
      run.onProgress(fraction, text)
    } catch (error) {
      log.debug("progress callback failed", { error: String(error) })
    }
  }
}
