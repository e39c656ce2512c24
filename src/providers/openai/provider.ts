import type * as OpenAISdk from "openai"
import type { ImageEditParamsBase, ImageGenerateParamsBase } from "openai/resources/images"
import { z } from "zod"
import { createLogger } from "@/util/log"
import { InputUnsupportedError, ProviderConnectionError, ProviderError, TooManyInputImagesError } from "../errors"
import { catalogEntry, retiredMessage, stageOn } from "../lifecycle"
import {
  type GenerateOptions,
  type GenerateRequest,
  type GenerateResult,
  type ImageProvider,
  type InputImage,
  providerCapabilities,
} from "../types"
import { DEFAULT_MODEL, MAX_INPUT_IMAGES, OPENAI_CATALOG, PROVIDER_NAME, ratiosOf, sizeOf } from "./catalog"
import { offeredModels, specFor } from "./discovery"
import { apiFailure } from "./errors"
import { prepareMask } from "./mask"
import { PARTIAL_IMAGES, readImageStream } from "./stream"

export { PROVIDER_NAME }

const log = createLogger(PROVIDER_NAME)

const CONTENT_TYPES = { png: "image/png", jpeg: "image/jpeg", webp: "image/webp" } as const
export type OpenAIOutputFormat = keyof typeof CONTENT_TYPES
const EXTENSIONS: Record<string, string> = { "image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp" }

/** Our two quality levels on the API's scale: `standard` is OpenAI's `medium`, `hd` its `high`. */
export const API_QUALITY: Readonly<Record<string, "medium" | "high">> = { standard: "medium", hd: "high" }

export interface OpenAIOptions {
  apiKey: string
  /** Gateway or test fake, e.g. `http://127.0.0.1:PORT/v1`. @default "https://api.openai.com/v1" */
  baseUrl?: string
  /** @default DEFAULT_MODEL */
  model?: string
  /** @default "png" */
  outputFormat?: OpenAIOutputFormat
  /** Bound on one API call. @default 600_000 */
  timeoutMs?: number
}

const Item = z.object({ b64_json: z.string().nullish().catch(null) })
const ImagesResponse = z
  .object({ data: z.array(Item).nullish().catch(null), size: z.string().nullish().catch(null) })
  .catch({ data: null, size: null })

type Sdk = typeof OpenAISdk
let sdk: Sdk | undefined
let loading: Promise<Sdk> | undefined

/** The SDK is a couple of hundred modules: imported on first use (docs/decisions.md#lazy-sdks). */
function loadSdk(): Promise<Sdk> {
  loading ??= import("openai").then(
    (mod) => (sdk = mod),
    (error: unknown) => {
      loading = undefined
      throw error
    },
  )
  return loading
}

const refuse = (message: string) => new ProviderError(PROVIDER_NAME, message, { kind: "invalid_input" })

const isEventStream = (response: Response) =>
  response.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() === "text/event-stream"

/** A non-streamed answer read from the raw response: its JSON, or its text as the SDK would hand it over. */
async function plainAnswer(response: Response): Promise<unknown> {
  const text = await response.text()
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** The upload file name for an input image, e.g. `reference_0.png`. */
export function uploadName(stem: string, image: InputImage): string {
  const ext = EXTENSIONS[image.contentType]
  if (ext) return `${stem}${ext}`
  const supported = Object.keys(EXTENSIONS).sort().join(", ")
  throw refuse(`Unsupported input image content type '${image.contentType}'. Supported: ${supported}`)
}

/** OpenAI's GPT Image models through the official SDK: generations, and edits when references are given. */
export function createOpenAIProvider(options: OpenAIOptions, deps: { fetch?: typeof fetch } = {}): ImageProvider {
  const { apiKey } = options
  const baseUrl = options.baseUrl || "https://api.openai.com/v1"
  const defaultModel = options.model || DEFAULT_MODEL
  const format = options.outputFormat ?? "png"
  const timeoutMs = options.timeoutMs ?? 600_000
  if (!apiKey) throw new ProviderError(PROVIDER_NAME, "an API key is required")
  if (!(format in CONTENT_TYPES)) {
    throw new ProviderError(PROVIDER_NAME, `Unsupported output_format '${format}'. Supported: jpeg, png, webp`)
  }

  let client: OpenAISdk.OpenAI | undefined
  const connect = async () => {
    const { OpenAI } = await loadSdk()
    client ??= new OpenAI({
      apiKey,
      baseURL: baseUrl,
      // No SDK retries (docs/decisions.md#no-client-retries): a retried POST can bill twice, and a failure should show at once.
      maxRetries: 0,
      timeout: timeoutMs,
      // Only config/ reads the environment: OPENAI_ORG_ID, OPENAI_PROJECT_ID and OPENAI_LOG must not leak in.
      organization: null,
      project: null,
      logLevel: "warn",
      logger: {
        error: (m) => log.error(scrub(m)),
        warn: (m) => log.warning(scrub(m)),
        info: () => {},
        debug: () => {},
      },
      ...(deps.fetch && { fetch: deps.fetch }),
    })
    return client
  }

  const scrub = (text: string) => text.split(apiKey).join("***")

  /** The error a failed call rejects with: the abort itself when the caller cancelled, else a ProviderError. */
  function translate(error: unknown, signal: AbortSignal, model: string | null): unknown {
    if (signal.aborted) return signal.reason
    if (error instanceof ProviderError) return error
    // The cause reaches logs too: a gateway that echoes the key must not leak it there either.
    if (error instanceof Error) error.message = scrub(error.message)
    const body = (error as { error?: unknown }).error
    if (body && typeof body === "object") (error as { error?: unknown }).error = JSON.parse(scrub(JSON.stringify(body)))
    const text = error instanceof Error ? error.message : scrub(String(error))
    if (sdk && error instanceof sdk.APIConnectionTimeoutError) {
      const seconds = Math.round(timeoutMs / 100) / 10
      return new ProviderConnectionError(PROVIDER_NAME, `OpenAI did not answer within ${seconds} s (timed out).`, {
        cause: error,
      })
    }
    if (sdk && error instanceof sdk.APIConnectionError) {
      return new ProviderConnectionError(
        PROVIDER_NAME,
        `Could not reach the OpenAI API: ${text} Check network access and IMAGE_GENERATION_MCP_OPENAI_BASE_URL.`,
        { cause: error },
      )
    }
    if (sdk && error instanceof sdk.APIError && typeof error.status === "number") return apiFailure(error, model)
    return new ProviderError(PROVIDER_NAME, `Image generation failed: ${text}`, { cause: error })
  }

  async function generate(request: GenerateRequest, { signal, onPreview }: GenerateOptions): Promise<GenerateResult> {
    const model = request.model || defaultModel
    const entry = catalogEntry(OPENAI_CATALOG, model)
    if (entry && stageOn(entry.lifecycle) === "retired") throw refuse(retiredMessage(model, entry.lifecycle))
    const spec = specFor(model)
    const references = request.referenceImages ?? []
    if (!spec) {
      if (references.length) throw new InputUnsupportedError(PROVIDER_NAME, model)
      throw refuse(`Model '${model}' is not an OpenAI image model this server can drive. See list_providers.`)
    }
    if (request.mask && !references.length) throw refuse("mask requires reference_images")
    if (references.length > MAX_INPUT_IMAGES) {
      throw new TooManyInputImagesError(PROVIDER_NAME, model, MAX_INPUT_IMAGES, references.length)
    }
    const quality = API_QUALITY[request.quality]
    if (!quality) throw refuse(`Unsupported quality '${request.quality}' for model '${model}'. Supported: standard, hd`)
    const size = sizeOf(spec, request.aspectRatio, request.quality === "hd" ? "hd" : "standard")
    if (!size) {
      const ratios = ratiosOf(spec).join(", ")
      throw refuse(`Unsupported aspect_ratio '${request.aspectRatio}' for model '${model}'. Supported: ${ratios}`)
    }
    const transparent = request.background === "transparent"
    if (transparent && !spec.transparency) {
      throw refuse(`Model '${model}' of openai cannot make transparent backgrounds.`)
    }
    if (transparent && format === "jpeg") throw refuse("Transparent backgrounds need png or webp output, not jpeg.")
    const uploads = references.map((image, i) => ({ image, name: uploadName(`reference_${i}`, image) }))
    const prompt = request.negativePrompt ? `${request.prompt}\n\nAvoid: ${request.negativePrompt}` : request.prompt
    const background = transparent ? "transparent" : "opaque"
    const common = { model, prompt, n: 1, size, quality, background, output_format: format } as const
    // Live previews are partial images of a streamed answer, asked for only when the caller shows them.
    const streaming = onPreview ? ({ stream: true, partial_images: PARTIAL_IMAGES } as const) : {}

    const mask = request.mask ? await prepareMask(request.mask, references[0] as InputImage) : undefined

    const edit = uploads.length > 0
    let raw: unknown
    let partials: number | undefined
    try {
      const api = await connect()
      let sent: { data: unknown; response: Response }
      if (edit) {
        const { toFile } = await loadSdk()
        const body: ImageEditParamsBase = {
          ...common,
          ...streaming,
          image: await Promise.all(
            uploads.map(({ image, name }) => toFile(image.data, name, { type: image.contentType })),
          ),
        }
        if (mask) body.mask = await toFile(mask, "mask.png", { type: "image/png" })
        sent = await api.images.edit(body, { signal }).withResponse()
      } else {
        const body: ImageGenerateParamsBase = { ...common, ...streaming }
        sent = await api.images.generate(body, { signal }).withResponse()
      }
      if (onPreview && isEventStream(sent.response)) {
        const streamed = await readImageStream(
          sent.data as AsyncIterable<unknown>,
          edit ? "image_edit" : "image_generation",
          signal,
          onPreview,
        )
        raw = streamed
        partials = streamed.partials
      } else if (onPreview) {
        // A gateway that does not stream answers as if `stream` were not there: read that answer as it is.
        raw = await plainAnswer(sent.response)
        partials = 0
      } else raw = sent.data
    } catch (error) {
      throw translate(error, signal, model)
    }

    const answer = ImagesResponse.parse(raw)
    const item = answer.data?.[0]
    if (!item) throw new ProviderError(PROVIDER_NAME, `Empty response from image ${edit ? "edit API" : "API"}`)
    if (!item.b64_json) {
      throw new ProviderError(PROVIDER_NAME, `No image data in ${edit ? "edit response" : "response"}`)
    }
    const metadata: Record<string, unknown> = {
      model,
      size: answer.size ?? size,
      quality: request.quality,
      api_quality: quality,
    }
    if (transparent) metadata.background = "transparent"
    if (edit) metadata.edited = true
    // Each partial image is billed (see ./stream.ts): the count says what this image cost beyond itself.
    if (partials !== undefined) metadata.partial_images = partials
    return { data: new Uint8Array(Buffer.from(item.b64_json, "base64")), contentType: CONTENT_TYPES[format], metadata }
  }

  return {
    name: PROVIDER_NAME,
    defaultModel,
    description:
      "OpenAI GPT Image (gpt-image-2.6 sunburst and flare, 2.5, 2) — strong at text and typography, logos, transparent backgrounds, edits with up to 16 references and masks, any ratio from 1:3 to 3:1",

    async discover(signal?: AbortSignal) {
      try {
        const page = await (await connect()).models.list({ signal })
        return providerCapabilities(PROVIDER_NAME, offeredModels(page.data))
      } catch (error) {
        log.warning("OpenAI model discovery failed", { error: scrub(String(error)) })
        return providerCapabilities(PROVIDER_NAME, [], true)
      }
    },

    async ping(signal: AbortSignal) {
      try {
        await (await connect()).models.list({ signal })
      } catch (error) {
        throw translate(error, signal, null)
      }
    },

    generate,
  }
}
