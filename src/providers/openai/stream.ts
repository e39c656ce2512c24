// Reading the Images API's streamed answer (openai SDK 7.57 `resources/images.d.ts`, ImageGenStreamEvent and
// ImageEditStreamEvent): `*.partial_image` events carry previews, `*.completed` events the final images.
import { z } from "zod"
import { createLogger } from "@/util/log"
import { ProviderError } from "../errors"
import type { PreviewCallback } from "../types"
import { PROVIDER_NAME } from "./catalog"

const log = createLogger(PROVIDER_NAME)

/**
 * Partial images asked for per image. The guide ("Partial images cost"): each one bills 100 more image output tokens,
 * $0.003 at gpt-image-2's $30 per million, so two add about 11% to a medium 1024² image and 3% to a high one. Two
 * show the picture forming at its start and middle; `IMAGE_GENERATION_MCP_LIVE_PREVIEWS=false` turns them off.
 */
export const PARTIAL_IMAGES = 2

const CONTENT_TYPES: Record<string, string> = { png: "image/png", jpeg: "image/jpeg", webp: "image/webp" }

const StreamEvent = z.object({
  type: z.string(),
  b64_json: z.string().nullish().catch(null),
  output_format: z.string().nullish().catch(null),
  size: z.string().nullish().catch(null),
})

/** What a streamed answer adds up to, in the shape of the non-streamed answer, plus how many previews came. */
export interface StreamedAnswer {
  data: { b64_json: string | null }[]
  size: string | null
  partials: number
}

/**
 * Reads the events to the end, handing each partial image to `onPreview` as it arrives. The SDK ends the iteration
 * quietly when the call is aborted, so an abort is rethrown here; a stream that ends without a final image failed.
 */
export async function readImageStream(
  stream: AsyncIterable<unknown>,
  prefix: "image_generation" | "image_edit",
  signal: AbortSignal,
  onPreview: PreviewCallback,
): Promise<StreamedAnswer> {
  const answer: StreamedAnswer = { data: [], size: null, partials: 0 }
  for await (const raw of stream) {
    const event = StreamEvent.safeParse(raw).data
    if (event?.type === `${prefix}.partial_image` && event.b64_json) {
      answer.partials++
      const contentType = CONTENT_TYPES[event.output_format ?? "png"] ?? "image/png"
      try {
        onPreview({ data: new Uint8Array(Buffer.from(event.b64_json, "base64")), contentType })
      } catch (error) {
        log.debug("preview callback failed", { error: String(error) })
      }
    } else if (event?.type === `${prefix}.completed`) {
      answer.data.push({ b64_json: event.b64_json ?? null })
      answer.size ??= event.size ?? null
    }
  }
  if (signal.aborted) throw signal.reason
  if (!answer.data.length) {
    throw new ProviderError(
      PROVIDER_NAME,
      "OpenAI's image stream ended before the final image arrived (the connection was cut). Try again.",
      { kind: "unavailable", code: "stream_cut" },
    )
  }
  return answer
}
