import { canonicalProviderName } from "@/providers/index"
import type { InputImage } from "@/providers/types"
import type { JobRecord } from "@/storage/types"
import { AppError, InvalidArgumentError, ProviderNotAvailableError } from "../errors"
import { BATCH_ID_PATTERN, metadataUri, randomBatchId, randomImageId, resourceTemplate, viewUri } from "../images/ids"
import type { ImageRegistry } from "../images/registry"
import type { ImportService } from "../intake/imports"
import { CANCELLED_MESSAGE, type GroupRunner, type JobParams, type JobService } from "../jobs/jobs"
import type { ProviderService } from "../providers/service"
import { planBatch } from "./batch"
import { batchStatus, cancelBatch, jobStatus } from "./batch-status"
import { fitModel } from "./model-fit"
import { prepareRegenerate, type Source } from "./regenerate"
import { prepareTransform, type TransformArgs } from "./transform"
import { checkBackground, checkCount, checkPrompt, checkQuality, checkSeed } from "./validate"

export interface GenerateArgs {
  prompt: string
  provider?: string | null
  negativePrompt?: string | null
  aspectRatio?: string
  quality?: string
  background?: string
  model?: string | null
  seed?: number | null
  /** How many images to make (1 to the configured cap). @default 1 */
  n?: number | null
}

/** A validated request with its provider resolved, ready to start (after any cost confirmation). */
export interface PreparedGeneration extends JobParams {
  referenceImages?: InputImage[]
  strength?: number | null
  mask?: InputImage | null
  /** Images to make. */
  count: number
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
  /** Only for several images: every image's id (`image_id` is the first), and the id they share. */
  image_ids?: string[]
  batch_id?: string
  /** Only for regenerate_image: the image or job it reran. */
  regenerated_from?: string
}

export interface GenerationServiceOptions {
  providers: ProviderService
  jobs: JobService
  images: ImageRegistry
  imports: ImportService
  defaultProvider: string
  paidProviders: readonly string[]
  /** The largest `n` a call may ask for. */
  maxImagesPerCall: number
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
    const seed = checkSeed(args.seed)
    const count = checkCount(args.n, this.opts.maxImagesPerCall)
    const aspectRatio = args.aspectRatio ?? "1:1"
    const requested = canonicalProviderName((args.provider || this.opts.defaultProvider).trim().toLowerCase())
    const provider = await this.opts.providers.resolve(requested, {
      prompt,
      background,
      aspectRatio,
      quality,
      seed: seed !== null,
    })
    const model = fitModel(this.opts.providers, provider, {
      model: args.model || null,
      aspectRatio,
      quality,
      background,
      seed,
      count,
    })
    const request = { model: args.model || null, strength: null, references: [], mask: null }
    return {
      prompt,
      provider,
      negativePrompt,
      aspectRatio,
      quality,
      background,
      model,
      sourceImageIds: [],
      seed,
      request,
      count,
    }
  }

  /**
   * `regenerate_image`: a stored image's or job's generation again, with `changes` (tool argument names) applied.
   * Edits and imports were not generated, so they are refused.
   */
  async prepareRegenerate(id: string, changes: Record<string, unknown>): Promise<PreparedGeneration> {
    const { images, jobs } = this.opts
    const image = await images.get(id)
    const job = image ? undefined : await jobs.get(id)
    if (!image && !job) {
      throw new AppError(
        "not_found",
        "generation_not_found",
        `No image or generation with id '${id}' is known. Read image://list to see available IDs.`,
      )
    }
    if (image && !image.request) {
      const what = image.origin === "imported" ? "imported" : "made by the editor"
      throw new InvalidArgumentError(
        `Image '${id}' was ${what}, not generated, so there is no generation to run again. Use it as a reference with transform_image instead.`,
      )
    }
    const source: Source = image ? { kind: "image", record: image } : { kind: "job", record: job as JobRecord }
    return prepareRegenerate(
      {
        prepare: (args) => this.prepare(args),
        prepareTransform: (args) => this.prepareTransform(args),
        imageExists: async (ref) => (await images.get(ref)) !== undefined,
      },
      source,
      changes,
    )
  }

  /** `transform_image`: references resolved, a provider able to take them chosen, everything checked. */
  prepareTransform(args: TransformArgs): Promise<PreparedGeneration> {
    return prepareTransform(this.opts, args)
  }

  /** Whether starting this generation needs the user's confirmation because it costs money. */
  needsConfirmation(prepared: PreparedGeneration): boolean {
    return this.opts.paidProviders.includes(prepared.provider)
  }

  async start(prepared: PreparedGeneration, opts: { transform?: boolean } = {}): Promise<GenerationStarted> {
    const { providers, jobs } = this.opts
    const provider = providers.get(prepared.provider)
    if (!provider) throw new ProviderNotAvailableError(prepared.provider, providers.names())
    const { referenceImages, strength, mask, count, ...params } = prepared
    const plan = planBatch(providers, { ...prepared, model: prepared.model ?? null })
    const ids = Array.from({ length: count }, randomImageId)
    const batchId = count > 1 ? randomBatchId() : null
    const entries = ids.map((id, i) => ({
      id,
      params: { ...params, seed: plan.seeds[i] ?? null, batchId, batchIndex: batchId ? i : null },
    }))
    let next = 0
    const groups = plan.groups.map((size) => {
      const first = next
      next += size
      const request = { ...prepared, seed: plan.seeds[first] ?? null }
      const run: GroupRunner = async (signal, onProgress) =>
        size > 1 && provider.generateBatch
          ? provider.generateBatch(request, size, { signal, onProgress })
          : [await provider.generate(request, { signal, onProgress })]
      return { ids: ids.slice(first, next), run }
    })
    await jobs.startBatch(entries, groups, plan.concurrency)
    const id = ids[0] as string
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
      ...(batchId && { image_ids: ids, batch_id: batchId }),
      ...(prepared.regeneratedFrom && { regenerated_from: prepared.regeneratedFrom }),
    }
  }

  /**
   * `check_generation_status`. A completed job is forgotten once reported (its image stays and answers for it); a
   * failed or cancelled one gives the same answer on every read until it expires or is deleted
   * (docs/decisions.md#failures-kept).
   */
  async status(id: string): Promise<Record<string, unknown>> {
    const { jobs, images } = this.opts
    if (BATCH_ID_PATTERN.test(id)) return batchStatus(id, jobs, images)
    const job = await jobs.get(id)
    if (job && job.status !== "completed") return jobStatus(job)
    if (job) await jobs.remove(id)
    if (job?.status === "completed" || (await images.get(id))) return { status: "completed", image_id: id }
    return { status: "unknown", image_id: id, error: "No pending or completed image with this ID." }
  }

  /** `cancel_generation` for a batch id; undefined when no such batch is known. */
  cancelBatch(batchId: string): Promise<Record<string, unknown> | undefined> {
    return cancelBatch(batchId, this.opts.jobs, this.opts.images)
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
      job.status === "cancelled" ? CANCELLED_MESSAGE : "Image not ready. Use check_generation_status(image_id) to poll."
    return { status: job.status, image_id: id, error }
  }
}
