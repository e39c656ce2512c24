import type { GenerateContentConfig, GenerateContentResponse, GoogleGenAI, Part } from "@google/genai/web"
import { createLogger } from "@/util/log"
import { ContentPolicyError, ProviderConnectionError, ProviderError, TooManyInputImagesError } from "../errors"
import { type GenerateRequest, type GenerateResult, type ImageProvider, providerCapabilities } from "../types"
import {
  DEFAULT_GEMINI_MODEL,
  GEMINI_ASPECT_RATIOS,
  GEMINI_MODELS,
  geminiModel,
  geminiModelCapabilities,
} from "./models"

export const PROVIDER_NAME = "gemini"

export interface GeminiOptions {
  apiKey: string
  /** proxy or test fake */
  baseUrl?: string
  /** @default "gemini-3.1-flash-image" */
  model?: string
  /** @default 600_000 */
  timeoutMs?: number
}

const log = createLogger("providers.gemini")
const CAPABILITIES = GEMINI_MODELS.map(geminiModelCapabilities)
const SORTED_RATIOS = [...GEMINI_ASPECT_RATIOS].sort()
/** Finish reasons meaning the API withheld the image on safety or policy grounds. */
const BLOCKED_FINISH = new Set([
  "SAFETY",
  "PROHIBITED_CONTENT",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "BLOCKLIST",
  "SPII",
])
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EPIPE"])

type Sdk = typeof import("@google/genai/web")

/** Google Gemini image models through `@google/genai` (its `/web` entry, loaded on first use). */
export function createGeminiProvider(options: GeminiOptions, deps: { fetch?: typeof fetch } = {}): ImageProvider {
  const defaultModel = options.model ?? DEFAULT_GEMINI_MODEL
  const timeoutMs = options.timeoutMs ?? 600_000
  let client: Promise<{ sdk: Sdk; ai: GoogleGenAI }> | undefined

  // The SDK is ~440 KB of JS: import it when the first image is asked for, not at start-up.
  function connect() {
    client ??= import("@google/genai/web").then(
      (sdk) => {
        const httpOptions = {
          baseUrl: options.baseUrl,
          timeout: timeoutMs,
          retryOptions: { attempts: 1 },
          fetch: deps.fetch,
        }
        return { sdk, ai: new sdk.GoogleGenAI({ apiKey: options.apiKey, httpOptions }) }
      },
      (error: unknown) => {
        client = undefined
        throw error
      },
    )
    return client
  }

  function fail(error: unknown, signal: AbortSignal): never {
    if (signal.aborted) throw signal.reason
    if (error instanceof ProviderError) throw error
    const raw = describe(error)
    const text = options.apiKey ? raw.split(options.apiKey).join("***") : raw
    // An error that quoted the key is not kept as the cause either.
    const cause = text === raw ? error : undefined
    if (/safety|policy|blocked|harm/.test(text.toLowerCase())) {
      throw new ContentPolicyError(PROVIDER_NAME, `Content policy rejection: ${text}`, { cause })
    }
    if (isTimeout(error)) {
      throw new ProviderConnectionError(PROVIDER_NAME, `Request timed out after ${timeoutMs} ms`, { cause })
    }
    if (isConnectionError(error)) {
      throw new ProviderConnectionError(PROVIDER_NAME, `Connection error: ${text}`, { cause })
    }
    throw new ProviderError(PROVIDER_NAME, text, { cause })
  }

  return {
    name: PROVIDER_NAME,
    defaultModel,
    description:
      "Google Gemini image models (Nano Banana 2 / Pro) — best for infographics, diagrams, layouts, multi-image composition and consistent characters; every image carries an invisible SynthID watermark",
    async discover() {
      return providerCapabilities(PROVIDER_NAME, CAPABILITIES)
    },
    async ping(signal: AbortSignal) {
      const { ai } = await connect()
      await ai.models
        .get({ model: defaultModel, config: { abortSignal: signal } })
        .catch((error) => fail(error, signal))
    },
    async generate(request: GenerateRequest, { signal }): Promise<GenerateResult> {
      if (request.mask) throw new ProviderError(PROVIDER_NAME, "mask is not supported by this provider")
      const model = geminiModel(request.model || defaultModel)
      const references = request.referenceImages ?? []
      if (references.length > model.maxInputImages) {
        throw new TooManyInputImagesError(PROVIDER_NAME, model.id, model.maxInputImages, references.length)
      }
      const { aspectRatio, quality } = request
      if (!GEMINI_ASPECT_RATIOS.includes(aspectRatio)) {
        const supported = SORTED_RATIOS.map((r) => `'${r}'`).join(", ")
        throw new ProviderError(PROVIDER_NAME, `Unsupported aspect_ratio: '${aspectRatio}'. Supported: [${supported}]`)
      }
      if (request.background === "transparent") log.debug("Gemini has no transparent background; ignoring it")
      signal.throwIfAborted()

      const prompt = request.negativePrompt ? `${request.prompt}\n\nAvoid: ${request.negativePrompt}` : request.prompt
      const parts: Part[] = [{ text: prompt }]
      for (const image of references) {
        parts.push({ inlineData: { mimeType: image.contentType, data: Buffer.from(image.data).toString("base64") } })
      }
      const hd = quality === "hd"
      const thinking = hd && model.thinking
      let response: GenerateContentResponse
      try {
        const { sdk, ai } = await connect()
        signal.throwIfAborted()
        const config: GenerateContentConfig = {
          responseModalities: thinking ? [sdk.Modality.TEXT, sdk.Modality.IMAGE] : [sdk.Modality.IMAGE],
          imageConfig: { aspectRatio, imageSize: hd ? "2K" : "1K" },
          abortSignal: signal,
        }
        if (thinking) config.thinkingConfig = { thinkingLevel: sdk.ThinkingLevel.HIGH }
        response = await ai.models.generateContent({ model: model.id, contents: [{ role: "user", parts }], config })
      } catch (error) {
        fail(error, signal)
      }
      const data = imageOf(response)
      return { ...data, metadata: { model: model.id, quality, aspect_ratio: aspectRatio } }
    },
  }
}

/** The first inline image of the first candidate, or the reason there is none. */
function imageOf(response: GenerateContentResponse): { data: Uint8Array; contentType: string } {
  const blockReason = response.promptFeedback?.blockReason
  if (blockReason)
    throw new ContentPolicyError(PROVIDER_NAME, `Prompt blocked by Gemini safety filters (${blockReason})`)
  const [candidate] = response.candidates ?? []
  for (const part of candidate?.content?.parts ?? []) {
    const inline = part.inlineData
    if (typeof inline?.data !== "string" || !inline.data) continue
    return { data: new Uint8Array(Buffer.from(inline.data, "base64")), contentType: inline.mimeType || "image/png" }
  }
  const finish = candidate?.finishReason
  if (finish && BLOCKED_FINISH.has(finish)) {
    throw new ContentPolicyError(PROVIDER_NAME, `Image blocked by Gemini safety filters (${finish})`)
  }
  throw new ProviderError(PROVIDER_NAME, "No image in response")
}

/** An SDK error as one line; API errors carry Google's JSON body, which is unwrapped to its message. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const status = "status" in error && typeof error.status === "number" ? error.status : undefined
  if (status === undefined) return error.message
  try {
    const body = JSON.parse(error.message) as { error?: { message?: unknown; status?: unknown } }
    const message = typeof body.error?.message === "string" ? body.error.message : error.message
    const label = typeof body.error?.status === "string" ? ` ${body.error.status}` : ""
    return `API error (HTTP ${status}${label}): ${message}`
  } catch {
    return `API error (HTTP ${status}): ${error.message}`
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError")
}

function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = "code" in error && typeof error.code === "string" ? error.code : ""
  const names = `${error.constructor.name} ${error.name}`.toLowerCase()
  const message = error.message.toLowerCase()
  return (
    CONNECTION_CODES.has(code) ||
    names.includes("connection") ||
    names.includes("timeout") ||
    message.includes("fetch failed") ||
    message.includes("econnrefused") ||
    message.includes("unable to connect")
  )
}
