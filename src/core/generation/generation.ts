import { canonicalProviderName } from "@/providers/index"
import type { InputImage } from "@/providers/types"
import { ProviderNotAvailableError } from "../errors"
import { metadataUri, randomImageId, resourceTemplate, viewUri } from "../images/ids"
import type { ImageRegistry } from "../images/registry"
import type { ImportService } from "../intake/imports"
import { JobCancelledError } from "../jobs/events"
import type { JobParams, JobRunner, JobService } from "../jobs/jobs"
import { type LivePreviews, livePreviewUri } from "../previews/previews"
import type { ProviderService } from "../providers/service"
import { nowSeconds } from "../time"
import type { Quote, Reservation, UsageCall, UsageService } from "../usage/ledger"
import { fitModel } from "./model-fit"
import { prepareTransform, type TransformArgs } from "./transform"
import { checkBackground, checkPrompt, checkQuality } from "./validate"

export interface GenerateArgs {
  prompt: string
  provider?: string | null
  negativePrompt?: string | null
  aspectRatio?: string
  quality?: string
  background?: string
  model?: string | null
}

/** A validated request with its provider resolved, ready to start (after any cost confirmation). */
export interface PreparedGeneration extends JobParams {
  referenceImages?: InputImage[]
  strength?: number | null
  mask?: InputImage | null
  /** Images the call makes; 1 when absent. */
  n?: number
}

export interface GenerationStarted {
  status: "generating"
  image_id: string
  prompt: string
  provider: string
  prompt_style: string | null
  /** Only for transforms: the gallery images the result derives from. */
  source_image_ids?: string[]
  original_uri: string
  metadata_uri: string
  resource_template: string
}

export interface GenerationServiceOptions {
  providers: ProviderService
  jobs: JobService
  images: ImageRegistry
  imports: ImportService
  defaultProvider: string
  paidProviders: readonly string[]
  /** The usage ledger every provider call is recorded in; absent only in benchmarks that measure it. */
  usage?: UsageService
  /** Where live previews go; unset (IMAGE_GENERATION_MCP_LIVE_PREVIEWS=false): providers are asked for none. */
  previews?: LivePreviews
}

export interface StartOptions {
  transform?: boolean
  /** Who asks (the caller's subject; "local" without auth): the ledger records it. */
  subject?: string
}

/** Starting generations and reporting on them, with the reference's status semantics. */
export class GenerationService {
  private readonly opts: GenerationServiceOptions

  constructor(opts: GenerationServiceOptions) {
    this.opts = opts
  }

  async prepare(args: GenerateArgs): Promise<PreparedGeneration> {
    const prompt = checkPrompt(args.prompt)
    const negativePrompt = args.negativePrompt ? checkPrompt(args.negativePrompt, "negative_prompt") : null
    const quality = checkQuality(args.quality ?? "standard")
    const background = checkBackground(args.background ?? "opaque")
    const aspectRatio = args.aspectRatio ?? "1:1"
    const requested = canonicalProviderName((args.provider || this.opts.defaultProvider).trim().toLowerCase())
    const provider = await this.opts.providers.resolve(requested, {
      prompt,
      background,
      aspectRatio,
      quality,
    })
    const model = fitModel(this.opts.providers, provider, {
      model: args.model || null,
      aspectRatio,
      quality,
      background,
    })
    return { prompt, provider, negativePrompt, aspectRatio, quality, background, model, sourceImageIds: [] }
  }

  /** `transform_image`: references resolved, a provider able to take them chosen, everything checked. */
  prepareTransform(args: TransformArgs): Promise<PreparedGeneration> {
    return prepareTransform(this.opts, args)
  }

  /** Whether starting this generation needs the user's confirmation because it costs money. */
  needsConfirmation(prepared: PreparedGeneration): boolean {
    return this.opts.paidProviders.includes(prepared.provider)
  }

  /**
   * What the call would cost and what the caller's budgets have left, for the cost confirmation; throws when a budget
   * refuses it now. Undefined without a ledger.
   */
  quote(prepared: PreparedGeneration, subject?: string): Promise<Quote | undefined> {
    return this.opts.usage?.quote(this.usageCall(prepared, "", subject)) ?? Promise.resolve(undefined)
  }

  async start(prepared: PreparedGeneration, opts: StartOptions = {}): Promise<GenerationStarted> {
    const { providers, jobs, usage } = this.opts
    const provider = providers.get(prepared.provider)
    if (!provider) throw new ProviderNotAvailableError(prepared.provider, providers.names())
    const id = randomImageId()
    const { referenceImages, strength, mask, n, ...params } = prepared
    const { previews } = this.opts
    const reservation = await usage?.reserve(this.usageCall(prepared, id, opts.subject))
    const run: JobRunner = (signal, onProgress) =>
      previews
        ? previews.during(id, signal, (onPreview) => provider.generate(prepared, { signal, onProgress, onPreview }))
        : provider.generate(prepared, { signal, onProgress })
    try {
      await jobs.start(id, params, reservation ? settledRun(run, reservation) : run)
    } catch (error) {
      await reservation?.settle({ kind: "not_sent" })
      throw error
    }
    return {
      status: "generating",
      image_id: id,
      prompt: prepared.prompt,
      provider: prepared.provider,
      prompt_style: providers.promptStyle(prepared.provider, prepared.model),
      ...(opts.transform && { source_image_ids: prepared.sourceImageIds }),
      original_uri: viewUri(id),
      metadata_uri: metadataUri(id),
      resource_template: resourceTemplate(id),
    }
  }

  /** The ledger's view of a generation: the model that will run it, resolved to the provider's default. */
  usageCall(prepared: PreparedGeneration, imageId: string, subject = "local"): UsageCall {
    const model = prepared.model ?? this.opts.providers.get(prepared.provider)?.defaultModel ?? null
    const { provider, aspectRatio, quality } = prepared
    return { imageId, subject, provider, model, aspectRatio, quality, n: prepared.n ?? 1 }
  }

  /** `check_generation_status`: a finished job is reported once, then forgotten (its image stays). */
  async status(id: string): Promise<Record<string, unknown>> {
    const { jobs, images } = this.opts
    const job = await jobs.get(id)
    if (job?.status === "generating") {
      return {
        status: "generating",
        image_id: id,
        progress: job.progress,
        progress_message: job.progressMessage,
        elapsed_seconds: Math.round((nowSeconds() - job.createdEpoch) * 10) / 10,
        ...this.previewFields(id),
      }
    }
    if (job) await jobs.remove(id)
    if (job?.status === "failed") return { status: "failed", image_id: id, error: job.error || "Unknown error" }
    if (job?.status === "cancelled") return { status: "cancelled", image_id: id }
    if (job?.status === "completed" || (await images.get(id))) return { status: "completed", image_id: id }
    return { status: "unknown", image_id: id, error: "No pending or completed image with this ID." }
  }

  /** `preview_uri` and `preview_number` while a running job has a live preview. */
  private previewFields(id: string): { preview_uri?: string; preview_number?: number } {
    const preview = this.opts.previews?.get(id)
    return preview ? { preview_uri: livePreviewUri(id), preview_number: preview.number } : {}
  }

  /** For tools that show an image: a not-ready answer while the job runs or failed, else undefined. */
  async notReady(id: string): Promise<Record<string, unknown> | undefined> {
    const job = await this.opts.jobs.get(id)
    if (!job) return undefined
    if (job.status === "completed") {
      await this.opts.jobs.remove(id)
      return undefined
    }
    const error =
      job.status === "cancelled"
        ? "The generation was cancelled; no image was made."
        : "Image not ready. Use check_generation_status(image_id) to poll."
    return { status: job.status, image_id: id, error }
  }
}

/** The provider call, settling its reservation with how it ended (docs/decisions.md#usage-ledger). */
function settledRun(run: JobRunner, reservation: Reservation): JobRunner {
  return async (signal, onProgress) => {
    try {
      const result = await run(signal, onProgress)
      await reservation.settle({ kind: "completed" })
      return result
    } catch (error) {
      if (!signal.aborted) await reservation.settle({ kind: "failed", error })
      else await reservation.settle({ kind: signal.reason instanceof JobCancelledError ? "cancelled" : "interrupted" })
      throw error
    }
  }
}
