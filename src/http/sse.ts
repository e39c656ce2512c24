const OPEN = new TextEncoder().encode(": open\n\n")

export interface EventStreamOptions {
  /**
   * End the stream once a JSON-RPC response has gone through it. For a POST stream resumed with Last-Event-ID:
   * the SDK leaves a resumed stream open after replaying a response that was stored while the client was away.
   */
  endAfterResponse?: boolean
}

/**
 * Bun sends a streaming response's status and headers only with its first body chunk, and the SDK
 * writes nothing on a fresh GET stream until an event or its 15 s keep-alive. An SSE comment first
 * gets the headers out at once. `onEnd` runs once when the stream finishes or the client goes away.
 */
export function openEventStream(res: Response, onEnd: () => void, options: EventStreamOptions = {}): Response {
  const type = res.headers.get("content-type") ?? ""
  if (!res.body || !type.startsWith("text/event-stream")) {
    onEnd()
    return res
  }
  const reader = res.body.getReader()
  const answered = options.endAfterResponse ? responseWatcher() : undefined
  let ended = false
  const end = () => {
    if (ended) return
    ended = true
    onEnd()
  }
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(OPEN)
    },
    async pull(controller) {
      try {
        const chunk = await reader.read()
        if (chunk.done) {
          end()
          return controller.close()
        }
        controller.enqueue(chunk.value)
        if (answered?.(chunk.value)) {
          end()
          controller.close()
          await reader.cancel()
        }
      } catch (error) {
        end()
        controller.error(error)
      }
    },
    cancel(reason) {
      end()
      return reader.cancel(reason)
    },
  })
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers })
}

/** Feeds SSE bytes; true once a complete event carrying a JSON-RPC response (result or error) has been seen. */
function responseWatcher(): (chunk: Uint8Array) => boolean {
  const decoder = new TextDecoder()
  let buffer = ""
  return (chunk) => {
    buffer += decoder.decode(chunk, { stream: true })
    let end = buffer.indexOf("\n\n")
    while (end >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      if (isResponse(eventData(block))) return true
      end = buffer.indexOf("\n\n")
    }
    return false
  }
}

function eventData(block: string): string {
  const lines = block.split("\n").filter((line) => line.startsWith("data:"))
  return lines.map((line) => line.slice(line.startsWith("data: ") ? 6 : 5)).join("\n")
}

function isResponse(data: string): boolean {
  if (!data.startsWith("{")) return false
  try {
    const message = JSON.parse(data) as Record<string, unknown>
    return "id" in message && !("method" in message) && ("result" in message || "error" in message)
  } catch {
    return false
  }
}
