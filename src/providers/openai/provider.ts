import type * as OpenAISdk from "openai"
import type { ImageEditParamsNonStreaming, ImageGenerateParamsNonStreaming } from "openai/resources/images"
import { z } from "zod"
import { createLogger } from "@/util/log"
import {
  ContentPolicyError,
  InputUnsupportedError,
  ProviderConnectionError,
  ProviderError,
  TooManyInputImagesError,
} from "../errors"
import {
  type GenerateRequest,
  type GenerateResult,
  type ImageProvider,
  type InputImage,
  providerCapabilities,
} from "../types"
import {
  apiQuality,
  isGptImage,
  KNOWN_MODELS,
  MAX_INPUT_IMAGES,
  PROVIDER_NAME,
  sendsBackground,
  sizeFor,
  uploadName,
} from "./models"

export { PROVIDER_NAME }

const log = createLogger(PROVIDER_NAME)

const CONTENT_TYPES = { png: "image/png", jpeg: "image/jpeg", webp: "image/webp" } as const
export type OpenAIOutputFormat = keyof typeof CONTENT_TYPES

export interface OpenAIOptions {
  apiKey: string
  /** Gateway or test fake, e.g. `http://127.0.0.1:PORT/v1`. @default "https://api.openai.com/v1" */
  baseUrl?: string
  /** @default "gpt-image-2" */
  model?: string
  /** Output of the gpt-image models; DALL·E always returns PNG. @default "png" */
  outputFormat?: OpenAIOutputFormat
  /** Bound on one API call. @default 600_000 */
  timeoutMs?: number
}

const Item = z.object({ b64_json: z.string().nullish().catch(null), revised_prompt: z.string().nullish().catch(null) })
const ImagesResponse = z.object({ data: z.array(Item).nullish().catch(null) }).catch({ data: null })

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

/** OpenAI images via the official SDK: the gpt-image family through generate and edit, DALL·E through generate. */
export function createOpenAIProvider(options: OpenAIOptions, deps: { fetch?: typeof fetch } = {}): ImageProvider {
  const { apiKey } = options
  const baseUrl = options.baseUrl || "https://api.openai.com/v1"
  const defaultModel = options.model || "gpt-image-2"
  const format = options.outputFormat ?? "png"
  const timeoutMs = options.timeoutMs ?? 600_000
  if (!apiKey) throw new ProviderError(PROVIDER_NAME, "an API key is required")
  if (!(format in CONTENT_TYPES)) {
    throw new ProviderError(PROVIDER_NAME, `Unsupported output_format '${format}'. Supported: jpeg, png, webp`)
  }
  if (!isGptImage(defaultModel) && format !== "png") {
    throw new ProviderError(PROVIDER_NAME, `${defaultModel} does not support output_format '${format}'; use png`)
  }

  let client: OpenAISdk.OpenAI | undefined
  const connect = async () => {
    const { OpenAI } = await loadSdk()
    client ??= new OpenAI({
      apiKey,
      baseURL: baseUrl,
      // No SDK retries (the reference kept its default of 2): a failed generation fails its job at once and
      // says why, a retried POST can bill twice, and retries with backoff could hold a job for 30 minutes.
      maxRetries: 0,
      timeout: timeoutMs,
      // Only config/ reads the environment: OPENAI_ORG_ID, OPENAI_PROJECT_ID and OPENAI_LOG must not leak in.
      organization: null,
      project: null,
      logLevel: "warn",
      logger: { error: (m) => log.error(m), warn: (m) => log.warning(m), info: () => {}, debug: () => {} },
      ...(deps.fetch && { fetch: deps.fetch }),
    })
    return client
  }

  const scrub = (text: string) => text.split(apiKey).join("***")

  /** The error a failed call rejects with: the abort itself when the caller cancelled, else a ProviderError. */
  function translate(error: unknown, signal: AbortSignal): unknown {
    if (signal.aborted) return signal.reason
    if (error instanceof ProviderError) return error
    const text = scrub(error instanceof Error ? error.message : String(error))
    // The cause reaches logs too; a gateway that echoes the key must not leak it there either.
    if (error instanceof Error) error.message = text
    if (sdk && error instanceof sdk.APIConnectionError) {
      return new ProviderConnectionError(PROVIDER_NAME, `Connection error: ${text}`, { cause: error })
    }
    if (sdk && error instanceof sdk.APIError && typeof error.status === "number") {
      if (error.status === 400 && (error.code === "content_policy_violation" || text.includes("content_policy"))) {
        return new ContentPolicyError(PROVIDER_NAME, `Content policy rejection: ${text}`, { cause: error })
      }
      return new ProviderError(PROVIDER_NAME, `API error (HTTP ${error.status}): ${text}`, { cause: error })
    }
    return new ProviderError(PROVIDER_NAME, `Image generation failed: ${text}`, { cause: error })
  }

  async function generate(request: GenerateRequest, signal: AbortSignal): Promise<GenerateResult> {
    const model = request.model || defaultModel
    const gpt = isGptImage(model)
    const references = request.referenceImages ?? []
    const edit = references.length > 0
    if (request.mask && !edit) throw new ProviderError(PROVIDER_NAME, "mask requires reference_images")
    if (edit && !gpt) throw new InputUnsupportedError(PROVIDER_NAME, model)
    if (references.length > MAX_INPUT_IMAGES) {
      throw new TooManyInputImagesError(PROVIDER_NAME, model, MAX_INPUT_IMAGES, references.length)
    }
    const uploads = references.map((image, i) => ({ image, name: uploadName(`reference_${i}`, image) }))
    const mask = request.mask && { image: request.mask, name: uploadName("mask", request.mask) }
    const size = sizeFor(model, request.aspectRatio)
    const prompt = request.negativePrompt ? `${request.prompt}\n\nAvoid: ${request.negativePrompt}` : request.prompt
    const quality = apiQuality(model, request.quality)
    const background = sendsBackground(model) ? (request.background as "opaque" | "transparent") : undefined
    // Unknown qualities pass through as in the reference, so they are cast to the SDK's narrower unions.
    const common = { model, prompt, n: 1, size, ...(background && { background }) }

    let raw: unknown
    try {
      const api = await connect()
      if (edit) {
        const { toFile } = await loadSdk()
        const file = ({ image, name }: { image: InputImage; name: string }) =>
          toFile(image.data, name, { type: image.contentType })
        const body: ImageEditParamsNonStreaming = {
          ...common,
          quality: quality as ImageEditParamsNonStreaming["quality"],
          output_format: format,
          image: await Promise.all(uploads.map(file)),
        }
        if (mask) body.mask = await file(mask)
        raw = await api.images.edit(body, { signal })
      } else {
        const body: ImageGenerateParamsNonStreaming = {
          ...common,
          quality: quality as ImageGenerateParamsNonStreaming["quality"],
          ...(gpt ? { output_format: format } : { response_format: "b64_json" }),
        }
        raw = await api.images.generate(body, { signal })
      }
    } catch (error) {
      throw translate(error, signal)
    }

    const item = ImagesResponse.parse(raw).data?.[0]
    if (!item) throw new ProviderError(PROVIDER_NAME, `Empty response from image ${edit ? "edit API" : "API"}`)
    if (!item.b64_json) {
      throw new ProviderError(PROVIDER_NAME, `No image data in ${edit ? "edit response" : "response"}`)
    }
    const metadata: Record<string, unknown> = { model, size, quality: request.quality, api_quality: quality }
    if (edit) metadata.edited = true
    else if (item.revised_prompt) metadata.revised_prompt = item.revised_prompt
    return {
      data: new Uint8Array(Buffer.from(item.b64_json, "base64")),
      contentType: gpt ? CONTENT_TYPES[format] : CONTENT_TYPES.png,
      metadata,
    }
  }

  return {
    name: PROVIDER_NAME,
    defaultModel,
    description:
      "OpenAI (gpt-image-2, gpt-image-1.5, dall-e-3) — best for text, logos, transparent backgrounds and general-purpose generation",

    async discover(signal?: AbortSignal) {
      try {
        const page = await (await connect()).models.list({ signal })
        const ids = new Set(page.data.map((m) => m.id))
        const models = KNOWN_MODELS.filter((m) => ids.has(m.model_id)).map((m) => structuredClone(m))
        return providerCapabilities(PROVIDER_NAME, models)
      } catch (error) {
        log.warning("OpenAI model discovery failed", { error: scrub(String(error)) })
        return providerCapabilities(PROVIDER_NAME, [], true)
      }
    },

    async ping(signal: AbortSignal) {
      try {
        await (await connect()).models.list({ signal })
      } catch (error) {
        throw translate(error, signal)
      }
    },

    generate: (request, { signal }) => generate(request, signal),
  }
}
