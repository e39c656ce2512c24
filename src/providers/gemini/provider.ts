import type { GenerateContentConfig, GenerateContentResponse, GoogleGenAI, Part } from "@google/genai/web"
import { createLogger } from "@/util/log"
import { ProviderAuthError, ProviderConnectionError, ProviderError, TooManyInputImagesError } from "../errors"
import { retiredMessage, stageOn } from "../lifecycle"
import {
  type GenerateRequest,
  type GenerateResult,
  type ImageProvider,
  INT32_MAX,
  type ProviderCapabilities,
  providerCapabilities,
} from "../types"
import { imageOf } from "./answer"
import { geminiModelCapabilities, qualitiesOf } from "./capabilities"
import { listModels, offeredModels } from "./discovery"
import { classifyFailure, isConnectionError, isTimeout, readFailure } from "./failures"
import { DEFAULT_GEMINI_MODEL, type GeminiModel, geminiModel, takesSeed } from "./models"

export const PROVIDER_NAME = "gemini"

/**
 * The API surface the provider speaks. @google/genai 3.x defaults to `v1`, but Google's image-generation guide
 * documents `v1beta`, and `v1` has refused fields the SDK sends (`thinkingConfig`, python-genai #1837;
 * `fileData`, js-genai #1746). The fake serves both and records which one was used.
 */
export const GEMINI_API_VERSION = "v1beta"

export interface GeminiOptions {
  apiKey: string
  /** proxy or test fake */
  baseUrl?: string
  /** @default DEFAULT_GEMINI_MODEL */
  model?: string
  /** @default 600_000 */
  timeoutMs?: number
}

const log = createLogger("providers.gemini")

type Sdk = typeof import("@google/genai/web")

/** Google Gemini image models through `@google/genai` (its `/web` entry, loaded on first use). */
export function createGeminiProvider(options: GeminiOptions, deps: { fetch?: typeof fetch } = {}): ImageProvider {
  const defaultModel = options.model || DEFAULT_GEMINI_MODEL
  const timeoutMs = options.timeoutMs ?? 600_000
  let client: Promise<{ sdk: Sdk; ai: GoogleGenAI }> | undefined

  // The SDK is ~440 KB of JS: import it when the service is first needed, not at start-up.
  function connect() {
    if (!options.apiKey) {
      const missing = "No Google API key is configured. Set IMAGE_GENERATION_MCP_GOOGLE_API_KEY."
      return Promise.reject(new ProviderAuthError(PROVIDER_NAME, missing))
    }
    client ??= import("@google/genai/web").then(
      (sdk) => {
        const httpOptions = {
          baseUrl: options.baseUrl,
          apiVersion: GEMINI_API_VERSION,
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

  /** Any failure as a ProviderError that never quotes the key. */
  function asProviderError(error: unknown, model?: string): ProviderError {
    if (error instanceof ProviderError) return error
    const scrub = (text: string) => (options.apiKey ? text.split(options.apiKey).join("***") : text)
    const raw = error instanceof Error ? error.message : String(error)
    // An error that quoted the key is not kept as the cause either.
    const cause = scrub(raw) === raw ? error : undefined
    const failure = readFailure(error)
    if (failure) return classifyFailure({ ...failure, message: scrub(failure.message) }, model, cause)
    if (isTimeout(error)) {
      return new ProviderConnectionError(PROVIDER_NAME, `Request timed out after ${timeoutMs} ms`, { cause })
    }
    if (isConnectionError(error)) {
      return new ProviderConnectionError(PROVIDER_NAME, `Connection error: ${scrub(raw)}`, { cause })
    }
    if (error instanceof SyntaxError) {
      return new ProviderError(
        PROVIDER_NAME,
        "The answer was not the Gemini API's JSON. Check that IMAGE_GENERATION_MCP_GEMINI_BASE_URL (if set) points at a Gemini API endpoint.",
        { cause },
      )
    }
    return new ProviderError(PROVIDER_NAME, scrub(raw), { cause })
  }

  /** Rethrows the abort reason when the caller gave up, the classified failure otherwise. */
  function fail(error: unknown, signal: AbortSignal | undefined, model?: string): never {
    if (signal?.aborted) throw signal.reason
    throw asProviderError(error, model)
  }

  return {
    name: PROVIDER_NAME,
    defaultModel,
    description:
      "Google Gemini image models (Nano Banana 2.1 / Pro / Lite) — best for infographics, diagrams, layouts, multi-image composition and consistent characters; every image carries an invisible SynthID watermark",
    async discover(signal?: AbortSignal): Promise<ProviderCapabilities> {
      try {
        const { ai } = await connect()
        const listed = await listModels(ai, signal)
        return providerCapabilities(PROVIDER_NAME, offeredModels(listed).map(geminiModelCapabilities))
      } catch (error) {
        log.warning("Gemini model discovery failed", { error: asProviderError(error).message })
        return providerCapabilities(PROVIDER_NAME, [], true)
      }
    },
    async ping(signal: AbortSignal) {
      const { ai } = await connect().catch((error) => fail(error, signal))
      // One short page of the models list: proves the address and the key without naming a model.
      await ai.models.list({ config: { pageSize: 1, abortSignal: signal } }).catch((error) => fail(error, signal))
    },
    async generate(request: GenerateRequest, { signal }): Promise<GenerateResult> {
      const model = geminiModel(request.model || defaultModel)
      check(request, model)
      // Without a seed we draw one, so the image can be made again (the API does not say which it used).
      const seed = takesSeed(model) ? (request.seed ?? drawSeed()) : undefined
      signal.throwIfAborted()
      let response: GenerateContentResponse
      try {
        const { sdk, ai } = await connect()
        signal.throwIfAborted()
        const config = {
          ...generationConfig(sdk, model, request),
          ...(seed !== undefined && { seed }),
          abortSignal: signal,
        }
        response = await ai.models.generateContent({ model: model.id, contents: [contentOf(request)], config })
      } catch (error) {
        fail(error, signal, model.id)
      }
      const data = imageOf(response)
      const metadata = {
        model: model.id,
        quality: request.quality,
        aspect_ratio: request.aspectRatio,
        ...(seed !== undefined && { seed }),
      }
      return { ...data, metadata }
    },
  }
}

/** A seed in the range Gemini takes. */
function drawSeed(): number {
  return (crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) % (INT32_MAX + 1)
}

/** The checks the core makes before the call, repeated here with the same wording (a second line). */
function check(request: GenerateRequest, model: GeminiModel): void {
  const refuse = (message: string) => new ProviderError(PROVIDER_NAME, message, { kind: "invalid_input" })
  if (request.mask) throw refuse("mask is not supported by this provider")
  if (stageOn(model.lifecycle) === "retired") throw refuse(retiredMessage(model.id, model.lifecycle))
  const references = request.referenceImages ?? []
  if (references.length > model.maxInputImages) {
    throw new TooManyInputImagesError(PROVIDER_NAME, model.id, model.maxInputImages, references.length)
  }
  if (!model.aspectRatios.includes(request.aspectRatio)) {
    const supported = [...model.aspectRatios]
      .sort()
      .map((r) => `'${r}'`)
      .join(", ")
    throw refuse(
      `Unsupported aspect_ratio: '${request.aspectRatio}' for model '${model.id}'. Supported: [${supported}]`,
    )
  }
  const qualities = qualitiesOf(model)
  if (!qualities.includes(request.quality)) {
    throw refuse(`Unsupported quality '${request.quality}' for model '${model.id}'. Supported: ${qualities.join(", ")}`)
  }
  if (request.background === "transparent") {
    throw refuse(`Model '${model.id}' cannot make transparent backgrounds; Gemini images are always opaque.`)
  }
  if (request.seed !== undefined && request.seed !== null) {
    if (!takesSeed(model)) throw refuse(`Model '${model.id}' is not known to take a seed; leave seed unset.`)
    if (!Number.isInteger(request.seed) || request.seed < 0 || request.seed > INT32_MAX) {
      throw refuse(`seed must be a whole number from 0 to ${INT32_MAX} for Gemini; got ${request.seed}.`)
    }
  }
}

/** `imageConfig` with the model's tier for the quality; thinking only where the model takes a level. */
function generationConfig(sdk: Sdk, model: GeminiModel, request: GenerateRequest): GenerateContentConfig {
  const hd = request.quality === "hd"
  const imageSize = hd ? model.qualities.hd : model.qualities.standard
  const thinking = hd ? model.hdThinkingLevel : undefined
  const config: GenerateContentConfig = {
    responseModalities: thinking ? [sdk.Modality.TEXT, sdk.Modality.IMAGE] : [sdk.Modality.IMAGE],
    imageConfig: imageSize ? { aspectRatio: request.aspectRatio, imageSize } : { aspectRatio: request.aspectRatio },
  }
  if (thinking) config.thinkingConfig = { thinkingLevel: sdk.ThinkingLevel[thinking] }
  return config
}

function contentOf(request: GenerateRequest) {
  const prompt = request.negativePrompt ? `${request.prompt}\n\nAvoid: ${request.negativePrompt}` : request.prompt
  const parts: Part[] = [{ text: prompt }]
  for (const image of request.referenceImages ?? []) {
    parts.push({ inlineData: { mimeType: image.contentType, data: Buffer.from(image.data).toString("base64") } })
  }
  return { role: "user", parts }
}
