import { AppError } from "@/util/app-error"
import { createLogger } from "@/util/log"
import type { DoctorFinding } from "../definition"
import { InputUnsupportedError, ProviderError, TooManyInputImagesError, UpstreamNotFoundError } from "../errors"
import { BackgroundWork } from "../local/background"
import {
  type GenerateOptions,
  type GenerateRequest,
  type GenerateResult,
  type ImageProvider,
  providerCapabilities,
} from "../types"
import { doctorFindings } from "./doctor"
import { unreadable, upstreamError } from "./errors"
import { type ComfyClient, comfyClient, json, message, PROVIDER, request } from "./http"
import { runPrompt } from "./job"
import { type ComfyModel, capabilitiesOf, findModel, listModels } from "./models"
import { type Catalog, parseObjectInfo, parseSystemStats, type SystemStats } from "./object-info"
import { checkRatio, plan } from "./plan"
import { readImage } from "./records"
import { ComfySocket } from "./socket"
import { uploadMask, uploadReference } from "./uploads"
import { checkWorkflow, readWorkflowFiles, type UserWorkflow, watchWorkflows } from "./workflows"

export const PROVIDER_NAME = PROVIDER
export const DEFAULT_TIMEOUT_S = 600
const log = createLogger(PROVIDER)

export interface ComfyUiOptions {
  /** Base URL of ComfyUI, e.g. `http://127.0.0.1:8188`, with `user:password@` when a proxy asks for basic auth. */
  host: string
  /** Model used when a call names none (a checkpoint, a diffusion model or `workflow:<name>`); unset: the first. */
  model?: string
  /** Folder of workflows saved with "Save (API)", offered as `workflow:<file name>` models. */
  workflowsDir?: string
  /** How long our prompt may run, counted from when it starts (not while it waits). @default 600_000 */
  timeoutMs?: number
  /** Bound on each other HTTP call (object_info, uploads, history, view). @default 30_000 */
  requestTimeoutMs?: number
  /** Pause between polls of /history and /queue when the WebSocket is not open. @default 1000 */
  pollIntervalMs?: number
}

export interface ComfyUiProvider extends ImageProvider {
  /** Doctor's checks: version, devices, the models and the workflows found. */
  findings(signal: AbortSignal): Promise<DoctorFinding[]>
  /** Resolves once no stop request of a cancelled prompt is left. */
  idle(): Promise<void>
}

/** What the last discovery found. */
export interface Discovered {
  catalog?: Catalog
  stats?: SystemStats
  models: ComfyModel[]
  workflows: UserWorkflow[]
  /** Workflow files that cannot be used, with the reason. */
  workflowProblems: string[]
  /** Models left out and why (a diffusion model without encoders, a template this ComfyUI cannot run). */
  notes: string[]
  /** Why ComfyUI could not be asked, when it could not. */
  failure?: AppError
}

/** Checkpoints, Flux models and the user's workflows through a ComfyUI server. */
export function createComfyUiProvider(options: ComfyUiOptions, deps: { fetch?: typeof fetch } = {}): ComfyUiProvider {
  const client: ComfyClient = comfyClient(
    options.host,
    deps.fetch ?? globalThis.fetch,
    options.requestTimeoutMs ?? 30_000,
  )
  const socket = new ComfySocket(client, `igm-${crypto.randomUUID()}`)
  const background = new BackgroundWork((error) =>
    log.warning("Could not stop our ComfyUI prompt", { error: String(error) }),
  )
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_S * 1000
  let found: Discovered = { models: [], workflows: [], workflowProblems: [], notes: [] }
  let stopWatching = () => {}
  /** Set when ComfyUI refused a workflow: its model lists may have changed since the last discovery. */
  let stale = false

  const getJson = async (path: string, signal?: AbortSignal) => {
    const response = await request(client, path, { signal })
    if (response.status !== 200) throw upstreamError(client, path, response)
    const body = json(response)
    if (body === undefined) throw unreadable(client, path, response)
    return body
  }

  const discoverNow = async (signal?: AbortSignal): Promise<Discovered> => {
    try {
      const [info, stats] = await Promise.all([
        getJson("/object_info", signal),
        getJson("/system_stats", signal).catch(() => undefined),
      ])
      const catalog = parseObjectInfo(info)
      if (!catalog) throw new ProviderError(PROVIDER, `ComfyUI at ${client.base} sent an unreadable /object_info.`)
      const workflows: UserWorkflow[] = []
      const workflowProblems: string[] = []
      if (options.workflowsDir) {
        const read = await readWorkflowFiles(options.workflowsDir)
        if (read.problem) workflowProblems.push(read.problem)
        for (const file of read.files) {
          const checked = checkWorkflow(file, catalog)
          if ("problem" in checked) workflowProblems.push(checked.problem)
          else workflows.push(checked)
        }
      }
      const { models, problems } = listModels(catalog, workflows)
      for (const problem of [...workflowProblems, ...problems]) log.warning(`ComfyUI: ${problem}`)
      found = { catalog, stats: parseSystemStats(stats), models, workflows, workflowProblems, notes: problems }
      stale = false
    } catch (error) {
      if (signal?.aborted) throw signal.reason
      const failure = error instanceof AppError ? error : new ProviderError(PROVIDER, message(error))
      log.warning("ComfyUI discovery failed", { error: failure.message })
      found = { ...found, catalog: undefined, models: [], failure }
    }
    return found
  }

  /** The discovery result, asking ComfyUI again when the last attempt failed. */
  const current = async (signal: AbortSignal): Promise<Discovered & { catalog: Catalog }> => {
    const state = found.catalog && !stale ? found : await discoverNow(signal)
    if (!state.catalog) throw state.failure ?? new ProviderError(PROVIDER, `ComfyUI at ${client.base} is not usable.`)
    return state as Discovered & { catalog: Catalog }
  }

  /** The model a name (or the default) means, refreshing the list once on a miss. */
  const resolveModel = async (name: string | null, signal: AbortSignal): Promise<ComfyModel> => {
    let state: Discovered = await current(signal)
    const pickFrom = (models: readonly ComfyModel[]) => (name ? findModel(models, name) : defaultOf(models))
    let model = pickFrom(state.models)
    if (!model) {
      state = await discoverNow(signal)
      model = pickFrom(state.models)
    }
    if (model) return model
    const available = state.models.map((m) => m.id).join(", ") || "none"
    throw new UpstreamNotFoundError(
      PROVIDER,
      name
        ? `Model '${name}' is not offered by ComfyUI at ${client.base}. Available: ${available}.`
        : `ComfyUI at ${client.base} offers no model: put a checkpoint in its models/checkpoints folder.`,
    )
  }

  const defaultOf = (models: readonly ComfyModel[]) =>
    (options.model ? findModel(models, options.model) : undefined) ?? models[0]

  const provider: ComfyUiProvider = {
    name: PROVIDER,
    description:
      "Stable Diffusion, SDXL, SD 3.5, Flux and your own workflows through a local ComfyUI — best for photorealism, portraits and artistic styles, with live progress; runs offline",

    get defaultModel() {
      return defaultOf(found.models)?.id ?? options.model
    },

    async ping(signal) {
      await getJson("/system_stats", signal)
    },

    async discover(signal) {
      const state = await discoverNow(signal)
      if (!state.catalog) return providerCapabilities(PROVIDER, [], true)
      const catalog = state.catalog
      return providerCapabilities(
        PROVIDER,
        state.models.map((m) => capabilitiesOf(m, catalog)),
      )
    },

    warnings() {
      const out = [...found.workflowProblems, ...found.notes]
      if (found.failure && !found.catalog) {
        out.unshift(`not usable: ${found.failure.detail} (list_providers with force_refresh=true asks again)`)
      }
      return out
    },

    onModelsChanged(listener) {
      if (!options.workflowsDir) return
      stopWatching()
      stopWatching = watchWorkflows(options.workflowsDir, listener)
    },

    async generate(request: GenerateRequest, options: GenerateOptions): Promise<GenerateResult> {
      return (await run(request, 1, options))[0] as GenerateResult
    },

    generateBatch: (request, count, options) => run(request, count, options),

    findings: (signal) => doctorFindings(client, options, () => found, getJson, signal),
    idle: () => background.idle(),

    async dispose() {
      stopWatching()
      socket.close()
      await background.dispose()
    },
  }
  /**
   * One prompt making `count` images, in order. The sampler takes one seed for the whole batch, so every image
   * records that seed and its place in the batch (`seed_batch_index`): image k is noise draw k of the seed. A request
   * with `seedBatchIndex` k makes image k of its seed's batch alone, and records k.
   */
  async function run(
    request: GenerateRequest,
    count: number,
    { signal, onProgress, onPreview }: GenerateOptions,
  ): Promise<GenerateResult[]> {
    const seed = checkSeed(request.seed)
    const batchIndex = checkBatchIndex(request.seedBatchIndex, count)
    const references = request.referenceImages ?? []
    const model = await resolveModel(request.model || null, signal)
    checkRatio(model, request.aspectRatio)
    const { catalog } = await current(signal)
    const caps = capabilitiesOf(model, catalog)
    if (!Number.isInteger(count) || count < 1 || count > caps.max_batch_size) {
      throw new ProviderError(
        PROVIDER,
        `Model '${model.id}' makes 1 to ${caps.max_batch_size} image(s) per ComfyUI prompt; asked for ${count}.`,
        { kind: "invalid_input", code: "invalid_request" },
      )
    }
    if (references.length && !caps.supports_image_input) throw new InputUnsupportedError(PROVIDER, model.id)
    if (references.length > caps.max_input_images) {
      throw new TooManyInputImagesError(PROVIDER, model.id, caps.max_input_images, references.length)
    }
    if (request.mask && (!caps.supports_mask || !references.length)) {
      throw new ProviderError(PROVIDER, `Model '${model.id}' does not take a mask (see supports_mask).`, {
        kind: "invalid_input",
        code: "mask_unsupported",
      })
    }
    const [reference] = references
    const referenceName = reference ? await uploadReference(client, reference, signal) : undefined
    const maskName =
      reference && referenceName && request.mask
        ? await uploadMask(client, request.mask, reference, referenceName, signal)
        : undefined
    const planned = await plan({ model, request, catalog, seed, count, batchIndex, reference, referenceName, maskName })
    const outcome = await runPrompt({
      client,
      socket,
      graph: planned.graph,
      output: planned.output,
      signal,
      timeoutMs,
      pollMs: options.pollIntervalMs ?? 1000,
      onProgress,
      onPreview,
      catalog,
      background,
    }).catch((error: unknown) => {
      if (error instanceof AppError && error.code === "workflow_invalid") stale = true
      throw error
    })
    if (outcome.images.length < count) {
      const made = outcome.images.length
      throw new ProviderError(PROVIDER, `Asked ComfyUI for ${count} images; it returned ${made}.`, {
        code: "no_image",
      })
    }
    const images = await Promise.all(outcome.images.slice(0, count).map((ref) => readImage(client, ref, signal)))
    return images.map((image, index) => {
      const metadata: Record<string, unknown> = { ...planned.metadata, prompt_id: outcome.promptId }
      if ((count > 1 || batchIndex) && "seed" in metadata) metadata.seed_batch_index = batchIndex || index
      return { data: image.data, contentType: image.contentType, metadata }
    })
  }

  return provider
}

/** The seed to use: the caller's (a whole number ComfyUI takes), else a random one. */
function checkSeed(seed: number | null | undefined): number {
  if (seed === undefined || seed === null) return crypto.getRandomValues(new Uint32Array(1))[0] ?? 0
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new ProviderError(
      PROVIDER,
      `seed must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}; got ${seed}.`,
      {
        kind: "invalid_input",
        code: "invalid_seed",
      },
    )
  }
  return seed
}

/** The batch image a request asks for alone: 0 (none) unless a whole number k > 0 for a one-image request. */
function checkBatchIndex(index: number | null | undefined, count: number): number {
  if (index === undefined || index === null || index === 0) return 0
  if (!Number.isSafeInteger(index) || index < 0 || count !== 1) {
    throw new ProviderError(
      PROVIDER,
      `seed_batch_index must be a whole number from 0, for one image; got ${index} for ${count}.`,
      { kind: "invalid_input", code: "invalid_request" },
    )
  }
  return index
}
