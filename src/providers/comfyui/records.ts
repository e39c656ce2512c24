// ComfyUI's records of prompts (execution.py PromptQueue, 0.3.64): /history/{id} once a prompt has ended, with its
// outputs per node and its status messages; /queue for the prompts running and waiting (items are
// [number, prompt_id, prompt, extra_data, outputs_to_execute]); /view for an output file.
import { z } from "zod"
import { ProviderError } from "../errors"
import { unreadable, upstreamError } from "./errors"
import { type ComfyClient, json, PROVIDER, request } from "./http"

/** An output file as `executed` and /history name it. */
export interface ImageRef {
  filename: string
  subfolder: string
  type: string
}

export interface HistoryEntry {
  status: "success" | "error"
  outputs: Record<string, ImageRef[]>
  /** The execution_error message's fields, when it failed. */
  error?: { node_id?: string; node_type?: string; exception_type?: string; exception_message?: string }
  interrupted: boolean
}

const Image = z.object({ filename: z.string(), subfolder: z.string().catch(""), type: z.string().catch("output") })
const Entry = z.object({
  outputs: z.record(z.string(), z.object({ images: z.array(Image).catch([]) }).catch({ images: [] })).catch({}),
  status: z
    .object({
      status_str: z.string().catch("success"),
      messages: z.array(z.tuple([z.string(), z.record(z.string(), z.unknown())]).rest(z.unknown())).catch([]),
    })
    .nullish()
    .catch(null),
})
const Failure = z.object({
  node_id: z.string().optional().catch(undefined),
  node_type: z.string().optional().catch(undefined),
  exception_type: z.string().optional().catch(undefined),
  exception_message: z.string().optional().catch(undefined),
})

/** The history entry of a prompt that has ended; undefined while it has not. */
export async function readHistory(
  client: ComfyClient,
  promptId: string,
  signal: AbortSignal,
): Promise<HistoryEntry | undefined> {
  const path = `/history/${encodeURIComponent(promptId)}`
  const response = await request(client, path, { signal })
  if (response.status !== 200) throw upstreamError(client, path, response)
  const body = json(response)
  if (!body || typeof body !== "object") throw unreadable(client, path, response)
  const raw = (body as Record<string, unknown>)[promptId]
  if (raw === undefined) return undefined
  const parsed = Entry.safeParse(raw)
  if (!parsed.success) throw unreadable(client, path, response)
  const entry = parsed.data
  const messages = entry.status?.messages ?? []
  const failed = messages.find(([event]) => event === "execution_error")
  const outputs = Object.fromEntries(Object.entries(entry.outputs).map(([node, out]) => [node, out.images]))
  return {
    status: entry.status?.status_str === "error" ? "error" : "success",
    outputs,
    error: failed ? Failure.parse(failed[1]) : undefined,
    interrupted: messages.some(([event]) => event === "execution_interrupted"),
  }
}

const QueueItem = z.tuple([z.unknown(), z.string()]).rest(z.unknown())
const Queue = z.object({ queue_running: z.array(QueueItem).catch([]), queue_pending: z.array(QueueItem).catch([]) })

/** The prompt ids running and waiting, the waiting ones in the order they will run. */
export async function readQueue(
  client: ComfyClient,
  signal: AbortSignal,
): Promise<{ running: string[]; pending: string[] }> {
  const response = await request(client, "/queue", { signal })
  if (response.status !== 200) throw upstreamError(client, "/queue", response)
  const parsed = Queue.safeParse(json(response))
  if (!parsed.success) throw unreadable(client, "/queue", response)
  const number = (item: z.infer<typeof QueueItem>) => Number(item[0])
  const pending = [...parsed.data.queue_pending].sort((a, b) => number(a) - number(b))
  return { running: parsed.data.queue_running.map((i) => i[1]), pending: pending.map((i) => i[1]) }
}

/** The bytes of an output file, with their type from the bytes themselves. */
export async function readImage(
  client: ComfyClient,
  image: ImageRef,
  signal: AbortSignal,
): Promise<{ data: Uint8Array; contentType: string }> {
  const query = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder, type: image.type })
  const response = await request(client, `/view?${query}`, { signal })
  if (response.status !== 200) throw upstreamError(client, "/view", response)
  const contentType = sniff(response.bytes)
  if (!contentType) {
    throw new ProviderError(
      PROVIDER,
      `ComfyUI's output ${image.filename} is not a PNG, JPEG or WebP image; make the workflow save images.`,
      { code: "no_image" },
    )
  }
  return { data: response.bytes, contentType }
}

function sniff(data: Uint8Array): string | undefined {
  if (data[0] === 0x89 && data[1] === 0x50 && data[2] === 0x4e && data[3] === 0x47) return "image/png"
  if (data[0] === 0xff && data[1] === 0xd8) return "image/jpeg"
  if (Buffer.from(data.subarray(8, 12)).toString("latin1") === "WEBP") return "image/webp"
  return undefined
}
