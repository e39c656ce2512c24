import { z } from "zod"
import { createLogger } from "@/util/log"
import type { DoctorFinding } from "../definition"
import { ProviderError, TooManyInputImagesError, UpstreamNotFoundError } from "../errors"
import { BackgroundWork } from "../local/background"
import { checkpointProfile } from "../local/checkpoints"
import { LOCAL_ASPECT_RATIOS, type LocalPreset, maxEdge, presetFor } from "../local/presets"
import {
  type GenerateOptions,
  type GenerateRequest,
  type GenerateResult,
  type ImageProvider,
  type ModelCapabilities,
  modelCapabilities,
  providerCapabilities,
  UINT32_MAX,
} from "../types"
import { type Checkpoint, checkpointThatRan, parseCheckpoints, ranExpected, resolveCheckpoint } from "./checkpoints"
import { upstreamError } from "./errors"
import { detectFork, type Fork } from "./forks"
import { PROVIDER, type SdClient, type SdResponse, safeJson, sdClient, send } from "./http"
import { pollTask, runJob } from "./job"
import { buildPayload, type Info, outputSize, parseInfo } from "./payload"

export const PROVIDER_NAME = PROVIDER
const log = createLogger(PROVIDER)

export interface SdWebuiOptions {
  /** Base URL of the WebUI, e.g. `http://127.0.0.1:7860`, with `user:password@` for `--api-auth`. */
  host: string
  /** Checkpoint used when a call names none; unset: the one the WebUI has loaded. */
  model?: string
  /** How long our job may run on the WebUI, counted from when it starts (not while it waits). @default 600_000 */
  timeoutMs?: number
  /** Bound on each other HTTP call (listing, options, progress, interrupt). @default 30_000 */
  requestTimeoutMs?: number
  /** Pause between polls of our job's state. @default 1000 */
  pollIntervalMs?: number
  /** Least time between two asks for a live preview, when previews are wanted. @default 2000 */
  previewIntervalMs?: number
}

export const DEFAULT_TIMEOUT_S = 600
/** Images one job makes at most (`batch_size`; the WebUI's own slider stops at 8). */
export const MAX_BATCH_SIZE = 8

export interface SdWebuiProvider extends ImageProvider {
  /** Doctor's checks: the configured checkpoint is listed, and the WebUI can tell our jobs from others. */
  findings(signal: AbortSignal): Promise<DoctorFinding[]>
  /** Resolves once no watcher of a cancelled job is left. */
  idle(): Promise<void>
}

const Settings = z.object({ sd_model_checkpoint: z.string().nullish().catch(null) }).passthrough()
const Images = z.object({ images: z.array(z.string()).nullish(), info: z.unknown() })
const GlobalState = z.object({
  state: z.object({
    interrupted: z.boolean().optional(),
    job_count: z.number().optional(),
    job_timestamp: z.string().optional(),
  }),
})

/** Stable Diffusion and newer local models through the SD WebUI API (A1111, Forge, reForge, SD.Next). */
export function createSdWebuiProvider(options: SdWebuiOptions, deps: { fetch?: typeof fetch } = {}): SdWebuiProvider {
  const client: SdClient = sdClient(options.host, deps.fetch ?? globalThis.fetch, options.requestTimeoutMs ?? 30_000)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_S * 1000
  const pollMs = options.pollIntervalMs ?? 1000
  const background = new BackgroundWork((error) => log.debug("SD WebUI watcher failed", { error: String(error) }))
  let listed: Checkpoint[] | undefined

  const getJson = async (path: string, signal?: AbortSignal): Promise<unknown> => {
    const response = await send(client, path, { method: "GET", signal })
    if (response.status !== 200) throw upstreamError(client, path, response)
    return safeJson(response.text)
  }
  const settings = async (signal?: AbortSignal) => {
    const parsed = Settings.safeParse(await getJson("/sdapi/v1/options", signal))
    if (!parsed.success) throw new ProviderError(PROVIDER, `SD WebUI at ${client.base} sent unreadable options.`)
    return { loaded: parsed.data.sd_model_checkpoint ?? undefined, fork: detectFork(parsed.data) }
  }
  const refreshList = async (signal?: AbortSignal): Promise<Checkpoint[]> => {
    const list = parseCheckpoints(await getJson("/sdapi/v1/sd-models", signal))
    if (!list) throw new ProviderError(PROVIDER, `SD WebUI at ${client.base} sent an unreadable checkpoint list.`)
    listed = list
    return list
  }
  /** A name resolved to a listed checkpoint, refreshing the list once on a miss; refused with the list otherwise. */
  const resolveNamed = async (name: string, signal: AbortSignal): Promise<Checkpoint> => {
    const cached = listed && resolveCheckpoint(listed, name)
    if (cached) return cached
    const list = await refreshList(signal)
    const found = resolveCheckpoint(list, name)
    if (found) return found
    const available = list.map((c) => c.title).join(", ") || "none"
    throw new UpstreamNotFoundError(
      PROVIDER,
      `Checkpoint '${name}' is not listed by the SD WebUI at ${client.base}. Available: ${available}.`,
    )
  }

  const provider: SdWebuiProvider = {
    name: PROVIDER,
    description:
      "Stable Diffusion, SDXL, SD 3.5, Flux and other local checkpoints through a local SD WebUI (A1111, Forge, reForge, SD.Next) — best for photorealism, portraits and artistic styles; runs offline",

    get defaultModel() {
      if (!options.model) return undefined
      return (listed && resolveCheckpoint(listed, options.model)?.title) || options.model
    },

    async ping(signal) {
      await getJson("/sdapi/v1/options", signal)
    },

    async discover(signal) {
      try {
        const [list, current] = await Promise.all([refreshList(signal), settings(signal)])
        log.debug("SD WebUI discovered", { loaded: current.loaded, fork: current.fork, checkpoints: list.length })
        return providerCapabilities(PROVIDER, list.map(checkpointCapabilities))
      } catch (error) {
        if (signal?.aborted) throw signal.reason
        log.warning("SD WebUI discovery failed", { error: error instanceof Error ? error.message : String(error) })
        return providerCapabilities(PROVIDER, [], true)
      }
    },

    async generate(request: GenerateRequest, options: GenerateOptions): Promise<GenerateResult> {
      return (await run(request, 1, options))[0] as GenerateResult
    },

    generateBatch: (request, count, options) => run(request, count, options),

    async findings(signal) {
      return doctorFindings(client, options.model, settings, refreshList, signal)
    },

    idle: () => background.idle(),
    dispose: () => background.dispose(),
  }

  /** One WebUI job making `count` images (`batch_size`), in order. */
  async function run(
    request: GenerateRequest,
    count: number,
    { signal, onProgress, onPreview }: GenerateOptions,
  ): Promise<GenerateResult[]> {
    if (!Number.isInteger(count) || count < 1 || count > MAX_BATCH_SIZE) {
      throw new ProviderError(PROVIDER, `One job makes 1 to ${MAX_BATCH_SIZE} images; asked for ${count}.`, {
        kind: "invalid_input",
      })
    }
    if (request.mask) throw new ProviderError(PROVIDER, "mask is not supported by this provider")
    const named = request.model || options.model || null
    const references = request.referenceImages ?? []
    if (references.length > 1) throw new TooManyInputImagesError(PROVIDER, named, 1, references.length)
    const [reference] = references
    const current = await settings(signal)
    const checkpoint = named
      ? await resolveNamed(named, signal)
      : current.loaded
        ? resolveCheckpoint(listed ?? [], current.loaded)
        : undefined
    const title = checkpoint?.title ?? current.loaded
    const preset = presetFor(title)
    const [width, height] = await outputSize(preset, request.aspectRatio, reference)
    const taskId = `igm-${crypto.randomUUID()}`
    // Pinning the loaded checkpoint too keeps the preset right if someone switches models before our turn.
    const payload = buildPayload({
      request,
      preset,
      fork: current.fork,
      checkpointTitle: title,
      width,
      height,
      taskId,
      reference,
      count,
    })
    const path = reference ? "/sdapi/v1/img2img" : "/sdapi/v1/txt2img"
    const response = await runJob({
      client,
      path,
      payload,
      taskId,
      signal,
      timeoutMs,
      pollMs,
      steps: preset.steps,
      onProgress,
      onPreview,
      previewIntervalMs: options.previewIntervalMs ?? 2000,
      background,
    })
    const { images, info } = readAnswer(client, path, response, count)
    if (named && checkpoint && ranExpected(checkpoint, ranFields(info)) === false) {
      throw new ProviderError(
        PROVIDER,
        `The SD WebUI ran '${info.sd_model_name}' instead of checkpoint '${checkpoint.title}' (it ignores a checkpoint it cannot load by that name). Check that the file still exists and try again.`,
        { code: "checkpoint_not_applied" },
      )
    }
    await refuseIfInterrupted(client, info, signal)
    const ran = checkpointThatRan(listed ?? [], ranFields(info))
    return images.map((image, i) => {
      const metadata = resultMetadata(preset, info, ran?.title ?? info.sd_model_name ?? title ?? null, width, height)
      const seed = info.all_seeds?.[i] ?? (info.seed !== undefined ? info.seed + i : undefined)
      if (seed !== undefined) metadata.seed = seed
      if (reference) metadata.edited = true
      const data = new Uint8Array(Buffer.from(image, "base64"))
      return { data, contentType: contentTypeOf(data), metadata }
    })
  }
  return provider
}

/** The WebUI encodes results in its `samples_format` option: PNG by default, JPEG or WebP when set so. */
function contentTypeOf(data: Uint8Array): string {
  if (data[0] === 0xff && data[1] === 0xd8) return "image/jpeg"
  if (Buffer.from(data.subarray(8, 12)).toString("latin1") === "WEBP") return "image/webp"
  return "image/png"
}

const ranFields = (info: Info) => ({ sdModelName: info.sd_model_name, sdModelHash: info.sd_model_hash })

/** The `count` images and the parsed `info` of a 200 answer; anything else is the WebUI's error. */
function readAnswer(
  client: SdClient,
  path: string,
  response: SdResponse,
  count: number,
): { images: string[]; info: Info } {
  if (response.status !== 200) throw upstreamError(client, path, response)
  const json = safeJson(response.text)
  if (json === undefined) {
    throw new ProviderError(
      PROVIDER,
      `SD WebUI at ${client.base} answered with something that is not JSON: ${response.text.slice(0, 120)}`,
    )
  }
  const body = Images.safeParse(json)
  const info = parseInfo(body.data?.info)
  const images = (body.data?.images ?? []).slice(info.index_of_first_image ?? 0)
  if (!images[0]) {
    const hint =
      body.data?.info === ""
        ? " SD.Next reports pipeline errors (such as running out of GPU memory) only in its console log."
        : ""
    throw new ProviderError(PROVIDER, `SD WebUI at ${client.base} returned no image.${hint}`, {
      kind: "unavailable",
      code: "no_image",
    })
  }
  if (images.length < count) {
    throw new ProviderError(
      PROVIDER,
      `Asked the SD WebUI at ${client.base} for ${count} images; it returned ${images.length}.`,
    )
  }
  return { images: images.slice(0, count), info }
}

/**
 * An interrupt from the WebUI's own button or another client also ends our job with a 200 and a half-finished image.
 * The global state still says so until the next job begins: same job timestamp, nothing running, interrupted.
 */
async function refuseIfInterrupted(client: SdClient, info: Info, signal: AbortSignal): Promise<void> {
  if (!info.job_timestamp) return
  const response = await send(client, "/sdapi/v1/progress?skip_current_image=true", { method: "GET", signal }).catch(
    (error: unknown) => {
      if (signal.aborted) throw error
      return undefined
    },
  )
  const state = GlobalState.safeParse(safeJson(response?.text ?? "")).data?.state
  if (state?.interrupted && state.job_count === 0 && state.job_timestamp === info.job_timestamp) {
    throw new ProviderError(
      PROVIDER,
      "The SD WebUI job was interrupted before it finished (from the WebUI itself or by another client), so only a partial image came back. Try again.",
      { kind: "unavailable", code: "interrupted_upstream" },
    )
  }
}

function resultMetadata(
  preset: LocalPreset,
  info: Info,
  model: string | null,
  width: number,
  height: number,
): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    quality: preset.qualityTier,
    model,
    architecture: preset.architecture,
    size: `${info.width ?? width}x${info.height ?? height}`,
    steps: info.steps ?? preset.steps,
    prompt_style: preset.promptStyle,
  }
  if (info.sampler_name) metadata.sampler = info.sampler_name
  if (info.cfg_scale !== undefined) metadata.cfg_scale = info.cfg_scale
  if (info.sd_model_name) metadata.sd_model_name = info.sd_model_name
  if (info.sd_model_hash) metadata.sd_model_hash = info.sd_model_hash
  if (info.seed !== undefined) metadata.seed = info.seed
  return metadata
}

function checkpointCapabilities(checkpoint: Checkpoint): ModelCapabilities {
  const preset = presetFor(checkpoint.title)
  return modelCapabilities({
    model_id: checkpoint.title,
    display_name: checkpoint.modelName,
    supported_aspect_ratios: [...LOCAL_ASPECT_RATIOS],
    supported_qualities: ["standard"],
    supported_formats: ["png"],
    supports_negative_prompt: preset.negativePrompt,
    supports_image_input: true,
    max_input_images: 1,
    max_resolution: maxEdge(preset),
    default_steps: preset.steps,
    default_cfg: preset.guidance ?? preset.cfg,
    prompt_style: preset.promptStyle,
    supports_seed: true,
    max_seed: UINT32_MAX,
    max_batch_size: MAX_BATCH_SIZE,
    style_profile: checkpointProfile(checkpoint.title),
  })
}

async function doctorFindings(
  client: SdClient,
  configured: string | undefined,
  settings: (signal?: AbortSignal) => Promise<{ loaded?: string; fork: Fork }>,
  refreshList: (signal?: AbortSignal) => Promise<Checkpoint[]>,
  signal: AbortSignal,
): Promise<DoctorFinding[]> {
  const findings: DoctorFinding[] = []
  const current = await settings(signal)
  const list = await refreshList(signal)
  findings.push({
    ok: Boolean(current.loaded),
    label: "sd_webui checkpoint",
    detail: current.loaded
      ? `loaded: ${current.loaded} (${presetFor(current.loaded).architecture} defaults)`
      : "no checkpoint loaded",
    fix: current.loaded ? undefined : "Load a checkpoint in the WebUI or set IMAGE_GENERATION_MCP_SD_WEBUI_MODEL.",
  })
  if (configured) {
    const found = resolveCheckpoint(list, configured)
    findings.push({
      ok: Boolean(found),
      label: "sd_webui model",
      detail: found
        ? `'${configured}' is listed as ${found.title}`
        : `'${configured}' is not a checkpoint the WebUI lists`,
      fix: found
        ? undefined
        : `Set IMAGE_GENERATION_MCP_SD_WEBUI_MODEL to one of: ${list.map((c) => c.title).join(", ") || "(none listed)"}.`,
    })
  }
  const poll = await pollTask(client, "igm-doctor-probe", signal)
  const tracked = poll !== "no endpoint" && poll !== undefined && current.fork !== "sdnext"
  findings.push({
    ok: tracked,
    label: "sd_webui job tracking",
    detail: tracked
      ? "the WebUI reports which job runs: cancel and time-out stop only this server's jobs, with progress"
      : "the WebUI does not report which job runs: a cancelled or timed-out job finishes on its own, without progress",
    fix: tracked
      ? undefined
      : current.fork === "sdnext"
        ? "SD.Next does not track API jobs; nothing to change here."
        : "Start the WebUI with --api next to its UI (not --nowebui) so /internal/progress is available.",
  })
  return findings
}
