import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import type { GenerationStarted } from "@/core/generation/generation"
import { livePreviewUri } from "@/core/previews/previews"
import type { McpContext } from "../context"
import { json } from "../results"
import type { ToolExtra } from "../tool"

const HEARTBEAT_MS = 5000

/** The `_meta` key of a progress notification that announces a new live preview: `{ uri, number }`. */
export const PREVIEW_META = "image-generation-mcp/preview"

/**
 * The answer to generate_image / transform_image. Without a progress token it returns at once ("generating").
 * With one, the call stays open: progress notifications follow the job (the first names the image_id; a
 * heartbeat keeps clients that reset their timeout on progress from timing out; each new live preview gets one
 * naming its URI) and the final status is returned. A request that times out or is dropped leaves the job running;
 * only cancel_generation stops it.
 */
export async function generationResult(
  ctx: McpContext,
  started: GenerationStarted,
  extra: ToolExtra,
  label: "Generated" | "Transformed",
): Promise<CallToolResult> {
  const token = extra._meta?.progressToken
  if (token === undefined) {
    return {
      content: [
        { type: "text", text: json(started) },
        { type: "resource_link", uri: started.original_uri, name: `${label} image (generating)` },
      ],
    }
  }
  const { jobs, generation, previews } = ctx.services
  const id = started.image_id
  let last = 0
  const startedAt = Date.now()
  const notify = (fraction: number, message: string, meta?: Record<string, unknown>) => {
    last = Math.min(0.999, Math.max(last + 0.001, fraction))
    const params = { progressToken: token, progress: last, total: 1, message, ...(meta && { _meta: meta }) }
    extra.sendNotification({ method: "notifications/progress", params }).catch(() => {})
  }
  notify(0, `generating ${id}: poll check_generation_status("${id}") if this request ends early`)
  const heartbeat = setInterval(
    () => notify(last, `generating… ${Math.round((Date.now() - startedAt) / 1000)}s`),
    HEARTBEAT_MS,
  )
  const uri = livePreviewUri(id)
  const announce = ({ number }: { number: number }) =>
    notify(last, `preview ${number} ready: ${uri}`, { [PREVIEW_META]: { uri, number } })
  const unsubscribe = previews.on(id, announce)
  const early = previews.get(id)
  if (early) announce(early)
  try {
    await Promise.race([jobs.watch(id, notify), aborted(extra.signal)])
  } finally {
    clearInterval(heartbeat)
    unsubscribe()
  }
  if (extra.signal.aborted) return { content: [{ type: "text", text: json(started) }] }
  const status = await generation.status(id)
  if (status.status !== "completed") return { content: [{ type: "text", text: json(status) }] }
  await extra.sendNotification({
    method: "notifications/progress",
    params: { progressToken: token, progress: 1, total: 1, message: "completed" },
  })
  const done = { ...started, status: "completed" }
  return {
    content: [
      { type: "text", text: json(done) },
      { type: "resource_link", uri: started.original_uri, name: `${label} image` },
    ],
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve()
    else signal.addEventListener("abort", () => resolve(), { once: true })
  })
}
