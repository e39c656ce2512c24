import { z } from "zod"
import { createLogger } from "@/util/log"
import { ProviderConnectionError, ProviderError, TooManyInputImagesError } from "../errors"
import { checkpointProfile } from "../local/checkpoints"
import { presetFor, SD_ASPECT_RATIOS, type SdPreset, sizeFor } from "../local/presets"
import {
  type GenerateOptions,
  type GenerateRequest,
  type GenerateResult,
  type ImageProvider,
  type ModelCapabilities,
  modelCapabilities,
  providerCapabilities,
} from "../types"
import { jsonBody, pollProgress, type SdClient, type SdResponse, safeJson, send } from "./http"

export const PROVIDER_NAME = "sd_webui"

const log = createLogger(PROVIDER_NAME)
const NO_IMAGES = "SD WebUI response missing 'images' field or returned empty list"

export interface SdWebuiOptions {
  /** Base URL of the WebUI, e.g. `http://localhost:7860`; a trailing `/` is ignored. */
  host: string
  /** Checkpoint title to switch to when a call names none. */
  model?: string
  /** Bound on each request, response body included. @default 180_000 */
  timeoutMs?: number
  /** Pause between progress polls while a generation runs. @default 2000 */
  progressIntervalMs?: number
}

const ImagesResponse = z.object({
  images: z.array(z.string()).nullish(),
  info: z.unknown(),
})

const Info = z.object({
  seed: z.number().optional().catch(undefined),
  sd_model_name: z.string().optional().catch(undefined),
})

const Checkpoint = z.object({ title: z.string().nullish().catch(null), model_name: z.string().nullish().catch(null) })

/** Stable Diffusion through the A1111 / Forge HTTP API (`/sdapi/v1/*`). */
export function createSdWebuiProvider(options: SdWebuiOptions, deps: { fetch?: typeof fetch } = {}): ImageProvider {
  const client: SdClient = {
    host: options.host.replace(/\/+$/, ""),
    fetch: deps.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 180_000,
  }
  const progressIntervalMs = options.progressIntervalMs ?? 2000

  return {
    name: PROVIDER_NAME,
    defaultModel: options.model || undefined,
    description:
      "Stable Diffusion through a local SD WebUI (A1111 / Forge) — best for photorealism, portraits and artistic styles; runs offline",

    async ping(signal: AbortSignal) {
      const response = await send(client, "/sdapi/v1/options", { method: "GET", signal })
      if (response.status !== 200) {
        throw new ProviderError(
          PROVIDER_NAME,
          `SD WebUI returned HTTP ${response.status}: ${response.text.slice(0, 200)}`,
        )
      }
    },

    async discover(signal?: AbortSignal) {
      let models: ModelCapabilities[]
      try {
        const [list, settings] = await Promise.all([
          send(client, "/sdapi/v1/sd-models", { method: "GET", signal }),
          send(client, "/sdapi/v1/options", { method: "GET", signal }),
        ])
        if (settings.status === 200) {
          const current = z.object({ sd_model_checkpoint: z.unknown() }).safeParse(safeJson(settings.text))
          log.debug("SD WebUI current checkpoint", { checkpoint: current.data?.sd_model_checkpoint })
        }
        const checkpoints = list.status === 200 ? safeJson(list.text) : undefined
        if (!Array.isArray(checkpoints)) {
          log.warning("SD WebUI model list unavailable", { status: list.status })
          return providerCapabilities(PROVIDER_NAME, [], true)
        }
        models = checkpoints.flatMap((item) => {
          const { title, model_name } = Checkpoint.safeParse(item).data ?? {}
          return title ? [checkpointCapabilities(title, model_name || title)] : []
        })
      } catch (error) {
        if (!(error instanceof ProviderConnectionError)) throw error
        log.warning("SD WebUI discovery failed", { error: error.message })
        return providerCapabilities(PROVIDER_NAME, [], true)
      }
      return providerCapabilities(PROVIDER_NAME, models)
    },

    async generate(request: GenerateRequest, { signal, onProgress }: GenerateOptions): Promise<GenerateResult> {
      if (request.mask) throw new ProviderError(PROVIDER_NAME, "mask is not supported by this provider")
      const model = request.model || options.model || null
      const references = request.referenceImages ?? []
      if (references.length > 1) throw new TooManyInputImagesError(PROVIDER_NAME, model, 1, references.length)
      const preset = presetFor(model)
      const [width, height] = sizeFor(preset, request.aspectRatio)
      const payload = buildPayload(request, preset, model, width, height)
      const [reference] = references
      if (reference) {
        payload.init_images = [Buffer.from(reference.data).toString("base64")]
        payload.denoising_strength = request.strength ?? 0.75
      }
      const path = reference ? "/sdapi/v1/img2img" : "/sdapi/v1/txt2img"
      const stopProgress = onProgress
        ? pollProgress(client, { steps: preset.steps, intervalMs: progressIntervalMs, onProgress })
        : undefined
      let response: SdResponse
      try {
        response = await send(client, path, { method: "POST", body: payload, signal })
      } catch (error) {
        // The WebUI keeps sampling after the client goes away; ask it to stop so the GPU is free for the next job.
        if (signal.aborted)
          void send(client, "/sdapi/v1/interrupt", { method: "POST", timeoutMs: 5000 }).catch(() => {})
        throw error
      } finally {
        await stopProgress?.()
      }
      const body = ImagesResponse.safeParse(jsonBody(response))
      const image = body.data?.images?.[0]
      if (!image) throw new ProviderError(PROVIDER_NAME, NO_IMAGES)
      const info = parseInfo(body.data?.info)
      const metadata: Record<string, unknown> = {
        quality: preset.qualityTier,
        model: model ?? info.sd_model_name ?? null,
        size: `${width}x${height}`,
        steps: preset.steps,
        prompt_style: preset.promptStyle,
      }
      if (info.seed !== undefined) metadata.seed = info.seed
      if (reference) metadata.edited = true
      return { data: new Uint8Array(Buffer.from(image, "base64")), contentType: "image/png", metadata }
    },
  }
}

function buildPayload(
  request: GenerateRequest,
  preset: SdPreset,
  model: string | null,
  width: number,
  height: number,
): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    prompt: request.prompt,
    width,
    height,
    steps: preset.steps,
    cfg_scale: preset.cfgScale,
    sampler_name: preset.sampler,
    scheduler: preset.scheduler,
  }
  if (preset.negativePrompt) payload.negative_prompt = request.negativePrompt || ""
  if (preset.distilledCfgScale !== undefined) payload.distilled_cfg_scale = preset.distilledCfgScale
  if (model) payload.override_settings = { sd_model_checkpoint: model }
  return payload
}

/** `info` arrives as a JSON string (A1111) or an object; anything unreadable yields nothing. */
function parseInfo(info: unknown): z.infer<typeof Info> {
  const value = typeof info === "string" ? safeJson(info) : info
  const parsed = Info.safeParse(value)
  if (!parsed.success && info) log.debug("SD WebUI info not readable; seed unknown")
  return parsed.data ?? {}
}

function checkpointCapabilities(title: string, displayName: string): ModelCapabilities {
  const preset = presetFor(title)
  return modelCapabilities({
    model_id: title,
    display_name: displayName,
    supported_aspect_ratios: [...SD_ASPECT_RATIOS],
    supported_qualities: ["standard"],
    supported_formats: ["png"],
    supports_negative_prompt: preset.negativePrompt,
    supports_image_input: true,
    max_input_images: 1,
    max_resolution: preset.maxResolution,
    default_steps: preset.steps,
    default_cfg: preset.cfgScale,
    prompt_style: preset.promptStyle,
    style_profile: checkpointProfile(title),
  })
}
