import type { BlockedReason, FinishReason, GenerateContentResponse, Part } from "@google/genai/web"
import { ContentPolicyError, ProviderError } from "../errors"

const PROVIDER = "gemini"
/** How much of a text answer an error quotes. */
const MAX_QUOTE = 400

type Outcome = { policy: true; why: string } | { policy?: false; why: string; kind?: "forbidden" }

const TRY_AGAIN = "Try again, or rephrase the prompt."
const REPHRASE = "Rephrase the prompt (leave out what may be read as harmful, sexual, violent or about real people)."

/**
 * Every reason the SDK documents (`FinishReason` in @google/genai's genai.d.ts) for a candidate that came back
 * without an image, as a sentence saying what happened and what to do. Typed on the SDK's enum, so a reason a new
 * SDK adds fails the type check until it is described here.
 */
const FINISH: Readonly<Record<FinishReason, Outcome>> = {
  FINISH_REASON_UNSPECIFIED: { why: `The model stopped without an image and without saying why. ${TRY_AGAIN}` },
  STOP: { why: `The model finished without drawing an image. Ask explicitly for a picture. ${TRY_AGAIN}` },
  MAX_TOKENS: {
    why: "The answer reached the model's output token limit before an image was drawn. Shorten the prompt or use quality 'standard' (less thinking), then try again.",
  },
  SAFETY: { policy: true, why: `The answer was withheld by Google's safety filters. ${REPHRASE}` },
  RECITATION: {
    why: "The answer was stopped because it may recite existing material. Ask for an original image instead of a copy of an existing work.",
  },
  LANGUAGE: { why: "The prompt's language is not supported by the model. Write the prompt in English and try again." },
  OTHER: { why: `The model stopped for a reason Google does not specify. ${TRY_AGAIN}` },
  BLOCKLIST: { policy: true, why: "The answer contained a term from a blocklist. Rephrase the prompt without it." },
  PROHIBITED_CONTENT: {
    policy: true,
    why: `The answer was stopped as possibly prohibited content under Google's policies. ${REPHRASE}`,
  },
  SPII: {
    policy: true,
    why: "The answer was stopped because it may contain sensitive personal information. Leave personal data out of the prompt.",
  },
  MALFORMED_FUNCTION_CALL: {
    why: `The model attempted a malformed tool call, which image requests never use. ${TRY_AGAIN}`,
  },
  IMAGE_SAFETY: { policy: true, why: `The generated image was withheld by Google's safety filters. ${REPHRASE}` },
  IMAGE_PROHIBITED_CONTENT: {
    policy: true,
    why: `The generated image was withheld as possibly prohibited content. ${REPHRASE}`,
  },
  IMAGE_OTHER: { why: `Image generation stopped for a reason Google does not specify. ${TRY_AGAIN}` },
  NO_IMAGE: {
    why: "The model was expected to draw an image but did not. Describe the picture more concretely, or try again.",
  },
  IMAGE_RECITATION: {
    why: "The image was withheld because it may reproduce an existing work. Ask for an original image rather than a copy.",
  },
  UNEXPECTED_TOOL_CALL: { why: `The model attempted a tool call, which image requests never use. ${TRY_AGAIN}` },
  TOO_MANY_TOOL_CALLS: { why: `The model made too many tool calls before answering. ${TRY_AGAIN}` },
  MISSING_THOUGHT_SIGNATURE: {
    why: "Google reported a missing thought signature, which a single-turn image request never needs. Try again; report it if it persists.",
  },
  MALFORMED_RESPONSE: { why: `The model produced a malformed response. ${TRY_AGAIN}` },
  ESCALATION: { policy: true, why: `The request was filtered by one of Google's escalation rules. ${REPHRASE}` },
  PUP_LIMITED_DISABLED: {
    kind: "forbidden",
    why: "The Google account behind the API key is limited or disabled for violations of the Prohibited Use Policy. Check the account in Google AI Studio; another prompt will not help.",
  },
  CONTINUATION: {
    why: "The answer stopped at the per-request token limit before an image was drawn. Use quality 'standard' or a shorter prompt, then try again.",
  },
  MODEL_ARMOR: { policy: true, why: `The answer was blocked by a Model Armor policy. ${REPHRASE}` },
}

/** Every prompt block reason the SDK documents (`BlockedReason`): all of them mean the prompt was refused. */
const BLOCKED: Readonly<Record<BlockedReason, string>> = {
  BLOCKED_REASON_UNSPECIFIED: `The prompt was blocked without a stated reason. ${REPHRASE}`,
  SAFETY: `The prompt was blocked by Google's safety filters. ${REPHRASE}`,
  OTHER: `The prompt was blocked (Google names its language or other harmful content as possible reasons). ${REPHRASE}`,
  BLOCKLIST: "The prompt contains a term from Google's blocklist. Rephrase it without that term.",
  PROHIBITED_CONTENT: `The prompt was blocked as possibly prohibited content. ${REPHRASE}`,
  IMAGE_SAFETY: `The prompt was blocked as unsafe for image generation. ${REPHRASE}`,
  MODEL_ARMOR: `The prompt was blocked by a Model Armor policy. ${REPHRASE}`,
  JAILBREAK: "The prompt was blocked as an attempt to get around the model's rules. Rephrase it plainly.",
}

/**
 * The image of a generateContent answer: the last inline image of the first candidate that is not a thought (the
 * guide: thinking may draw up to two interim images, marked `thought: true`; the final one comes last). Anything
 * else is an error saying why, quoting what the model wrote instead.
 */
export function imageOf(response: GenerateContentResponse): { data: Uint8Array; contentType: string } {
  const [candidate] = response.candidates ?? []
  const block = response.promptFeedback?.blockReason
  if (block && !candidate) {
    const why = BLOCKED[block] ?? `The prompt was blocked. ${REPHRASE}`
    throw new ContentPolicyError(PROVIDER, `${why} (block reason ${block})`)
  }
  const parts = (candidate?.content?.parts ?? []).filter((p) => !p.thought)
  const image = parts.findLast((p) => typeof p.inlineData?.data === "string" && p.inlineData.data !== "")
  if (image?.inlineData?.data) {
    const { data, mimeType } = image.inlineData
    return { data: new Uint8Array(Buffer.from(data, "base64")), contentType: mimeType || "image/png" }
  }
  if (!candidate) throw new ProviderError(PROVIDER, `Gemini answered without any candidate. ${TRY_AGAIN}`)
  const reason = candidate.finishReason ?? "FINISH_REASON_UNSPECIFIED"
  const outcome = FINISH[reason] ?? { why: `The model stopped without an image. ${TRY_AGAIN}` }
  const said = quote(parts)
  if (reason === "STOP" && said) {
    throw new ProviderError(
      PROVIDER,
      `Gemini answered with text instead of an image: "${said}" Ask explicitly for a picture, or act on what it says.`,
      { code: "gemini_text_only" },
    )
  }
  const message = `${outcome.why} (finish reason ${reason})${said ? ` The model said: "${said}"` : ""}`
  if (outcome.policy) throw new ContentPolicyError(PROVIDER, message)
  throw new ProviderError(PROVIDER, message, { kind: outcome.kind, code: `gemini_${reason.toLowerCase()}` })
}

/** The answer's visible text, on one line and trimmed to a readable length. */
function quote(parts: readonly Part[]): string {
  const text = parts
    .map((p) => p.text ?? "")
    .join(" ")
    .replace(/\s+/g, " ")
    .trim()
  return text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE - 1).trimEnd()}…` : text
}
