const OPEN = new TextEncoder().encode(": open\n\n")

/**
 * Bun sends a streaming response's status and headers only with its first body chunk, and the SDK
 * writes nothing on a fresh GET stream until an event or its 15 s keep-alive. An SSE comment first
 * gets the headers out at once. `onEnd` runs once when the stream finishes or the client goes away.
 */
export function openEventStream(res: Response, onEnd: () => void): Response {
  const type = res.headers.get("content-type") ?? ""
  if (!res.body || !type.startsWith("text/event-stream")) {
    onEnd()
    return res
  }
  const reader = res.body.getReader()
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
        if (!chunk.done) return controller.enqueue(chunk.value)
        end()
        controller.close()
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
