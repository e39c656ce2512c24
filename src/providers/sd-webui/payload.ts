import { z } from "zod"
import { type LocalPreset, sizeForRatio, sizeForShape } from "../local/presets"
import type { GenerateRequest, InputImage } from "../types"
import { cropResizeMode, type Fork, samplingFields } from "./forks"
import { safeJson } from "./http"

export interface PayloadInput {
  request: GenerateRequest
  preset: LocalPreset
  fork: Fork
  /** The exact title to run on; the WebUI silently ignores a name it does not list. */
  checkpointTitle?: string
  width: number
  height: number
  taskId: string
  reference?: InputImage
  /** Images in this one job (`batch_size`); each gets the next seed. @default 1 */
  count?: number
}

/**
 * The output size: the ratio's size for txt2img; for img2img the reference's own shape at the checkpoint's pixel
 * count, so the WebUI never has to stretch it (a reference that cannot be read gets the ratio's size, and crop mode
 * still keeps its content's shape).
 */
export async function outputSize(
  preset: LocalPreset,
  aspectRatio: string,
  reference: InputImage | undefined,
): Promise<readonly [number, number]> {
  if (!reference) return sizeForRatio(preset, aspectRatio)
  const meta = await new Bun.Image(reference.data).metadata().catch(() => undefined)
  return meta ? sizeForShape(preset, meta.width, meta.height) : sizeForRatio(preset, aspectRatio)
}

/** A txt2img or img2img request for `/sdapi/v1/*`. */
export function buildPayload(input: PayloadInput): Record<string, unknown> {
  const { request, preset, fork, reference } = input
  const payload: Record<string, unknown> = {
    prompt: request.prompt,
    width: input.width,
    height: input.height,
    steps: preset.steps,
    // -1 lets the WebUI draw a seed; it reports the one it used in `info`.
    seed: request.seed ?? -1,
    ...samplingFields(fork, preset),
    force_task_id: input.taskId,
  }
  if ((input.count ?? 1) > 1) payload.batch_size = input.count
  if (preset.negativePrompt) payload.negative_prompt = request.negativePrompt || ""
  if (input.checkpointTitle) payload.override_settings = { sd_model_checkpoint: input.checkpointTitle }
  if (reference) {
    payload.init_images = [Buffer.from(reference.data).toString("base64")]
    payload.denoising_strength = request.strength ?? 0.75
    payload.resize_mode = cropResizeMode(fork)
  }
  return payload
}

const Info = z.object({
  seed: z.number().optional().catch(undefined),
  all_seeds: z.array(z.number()).optional().catch(undefined),
  /** 1 when a grid image comes first (not for API calls, whose save_images is off). */
  index_of_first_image: z.number().optional().catch(undefined),
  sd_model_name: z.string().optional().catch(undefined),
  sd_model_hash: z.string().optional().catch(undefined),
  width: z.number().optional().catch(undefined),
  height: z.number().optional().catch(undefined),
  steps: z.number().optional().catch(undefined),
  cfg_scale: z.number().optional().catch(undefined),
  sampler_name: z.string().optional().catch(undefined),
  job_timestamp: z.string().optional().catch(undefined),
})
export type Info = z.infer<typeof Info>

/** `info` is a JSON string (A1111's Processed.js()); an object is taken as is; anything unreadable yields nothing. */
export function parseInfo(info: unknown): Info {
  const value = typeof info === "string" ? safeJson(info) : info
  return Info.safeParse(value).data ?? {}
}
