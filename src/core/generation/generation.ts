import { canonicalProviderName } from "@/providers/index"
import type { GenerateOptions, GenerateResult, InputImage } from "@/providers/types"
import type { JobRecord } from "@/storage"
import { AppError, InvalidArgumentError, ProviderNotAvailableError } from "../errors"
import { BATCH_ID_PATTERN, metadataUri, randomBatchId, randomImageId, resourceTemplate, viewUri } from "../images/ids"
import type { ImageRegistry } from "../images/registry"
import type { ImportService } from "../intake/imports"
import { JobCancelledError } from "../jobs/events"
import { CANCELLED_MESSAGE, type GroupRunner, type JobParams, type JobService } from "../jobs/jobs"
import { type LivePreviews, livePreviewUri } from "../previews/previews"
import type { ProviderService } from "../providers/service"
import type { Quote, Reservation, UsageCall, UsageService } from "../usage/ledger"
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
  /** Images the call makes; 1 when absent. */
  n?: number
  /** Only regenerate_image of image k of a batch that shared one seed: make that image alone (docs/decisions.md#comfyui-batches). */
  seedBatchIndex?: number
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
    const seed = checkSeed(args.seed)
    const n = checkCount(args.n, this.opts.maxImagesPerCall)
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
      count: n,
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
      n,
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

  /**
   * What the call would cost and what the caller's budgets have left, for the cost confirmation; throws when a budget
   * refuses it now. Undefined without a ledger.
   */
  quote(prepared: PreparedGeneration, subject?: string): Promise<Quote | undefined> {
    return this.opts.usage?.quote(this.usageCall(prepared, "", subject)) ?? Promise.resolve(undefined)
  }

  /**
   * Records one job per image and starts them (docs/decisions.md#batches). Every provider request of the call is
   * reserved in the ledger before any starts, so a budget that cannot take the whole call refuses it.
   */
  async start(prepared: PreparedGeneration, opts: StartOptions = {}): Promise<GenerationStarted> {
    const { providers, jobs, usage, previews } = this.opts
    const provider = providers.get(prepared.provider)
    if (!provider) throw new ProviderNotAvailableError(prepared.provider, providers.names())
    const { referenceImages, strength, mask, n = 1, seedBatchIndex, ...params } = prepared
    const plan = planBatch(providers, { ...prepared, model: prepared.model ?? null, count: n })
    const ids = Array.from({ length: n }, randomImageId)
    const batchId = n > 1 ? randomBatchId() : null
    const entries = ids.map((id, i) => ({
      id,
      params: { ...params, seed: plan.seeds[i] ?? null, batchId, batchIndex: batchId ? i : null },
    }))
    // A budget that cannot take the whole call says so with the call's estimate, not one request's.
    if (usage && n > 1) await usage.quote(this.usageCall(prepared, ids[0] as string, opts.subject))
    const reservations: Reservation[] = []
    const unsent = () => Promise.all(reservations.map((r) => r.settle({ kind: "not_sent" })))
    try {
      let next = 0
      const groups = []
      for (const size of plan.groups) {
        const members = ids.slice(next, next + size)
        const request = { ...prepared, seed: plan.seeds[next] ?? null }
        next += size
        const first = members[0] as string
        // A request's previews show its first image (a batch's previews are of its first image, where shown).
        const call = (options: GenerateOptions) =>
          size > 1 && provider.generateBatch
            ? provider.generateBatch(request, size, options)
            : provider.generate(request, options).then((result) => [result])
        const run: GroupRunner = (signal, onProgress) =>
          previews
            ? previews.during(first, signal, (onPreview) => call({ signal, onProgress, onPreview }))
            : call({ signal, onProgress })
        const reservation = await usage?.reserve(this.usageCall({ ...prepared, n: size }, first, opts.subject))
        if (reservation) reservations.push(reservation)
        groups.push({ ids: members, run: reservation ? settledRun(run, reservation) : run })
      }
      await jobs.startBatch(entries, groups, plan.concurrency)
    } catch (error) {
      await unsent()
      throw error
    }
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

  /** The ledger's view of a provider call: the model that will run it, resolved to the provider's default. */
  usageCall(prepared: PreparedGeneration, imageId: string, subject = "local"): UsageCall {
    const model = prepared.model ?? this.opts.providers.get(prepared.provider)?.defaultModel ?? null
    const { provider, aspectRatio, quality } = prepared
    const previews = this.opts.previews !== undefined
    return { imageId, subject, provider, model, aspectRatio, quality, n: prepared.n ?? 1, previews }
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
    if (job?.status === "generating") return { ...jobStatus(job), ...this.previewFields(id) }
    if (job && job.status !== "completed") return jobStatus(job)
    if (job) await jobs.remove(id)
    if (job?.status === "completed" || (await images.get(id))) return { status: "completed", image_id: id }
    return { status: "unknown", image_id: id, error: "No pending or completed image with this ID." }
  }

  /**
   * The image whose ledger entry covers this one: itself, or for an image that shared its provider request with the
   * images before it in its batch (a native batch), that request's first image.
   */
  async callImageId(id: string): Promise<string> {
    const { images, jobs, usage } = this.opts
    const record = await images.get(id)
    const index = record?.batchIndex
    if (!usage || !record?.batchId || index === null || index === undefined || (await usage.forImage(id))) return id
    const members = [...(await images.listBatch(record.batchId)), ...(await jobs.listBatch(record.batchId))]
    const byIndex = new Map(members.map((m) => [m.batchIndex, m.id]))
    for (let before = index - 1; before >= 0; before--) {
      const other = byIndex.get(before)
      const call = other ? await usage.forImage(other) : undefined
      if (other && call) return call.n > index - before ? other : id
    }
    return id
  }

  /** `preview_uri` and `preview_number` while a running job has a live preview. */
  private previewFields(id: string): { preview_uri?: string; preview_number?: number } {
    const preview = this.opts.previews?.get(id)
    return preview ? { preview_uri: livePreviewUri(id), preview_number: preview.number } : {}
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

/** The provider call, settling its reservation with how it ended (docs/decisions.md#usage-ledger). */
/** The partial images a provider reports it was sent (`partial_images` in its metadata), when it reports them. */
function billedPreviews(results: readonly GenerateResult[]): number | undefined {
  const counts = results.map((r) => r.metadata.partial_images).filter((c): c is number => typeof c === "number")
  return counts.length ? counts.reduce((a, b) => a + b, 0) : undefined
}

function settledRun(run: GroupRunner, reservation: Reservation): GroupRunner {
  return async (signal, onProgress) => {
    try {
      const result = await run(signal, onProgress)
      await reservation.settle({ kind: "completed", previews: billedPreviews(result) })
      return result
    } catch (error) {
      if (!signal.aborted) await reservation.settle({ kind: "failed", error })
      else await reservation.settle({ kind: signal.reason instanceof JobCancelledError ? "cancelled" : "interrupted" })
      throw error
    }
  }
}
