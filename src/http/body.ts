export type BodyResult = { ok: true; value: unknown } | { ok: false; reason: "too_large" | "invalid_json" }

/** Reads and parses a JSON body, stopping as soon as it grows past `maxBytes`. */
export async function readJsonBody(req: Request, maxBytes: number): Promise<BodyResult> {
  if (Number(req.headers.get("content-length")) > maxBytes) return { ok: false, reason: "too_large" }
  if (!req.body) return { ok: false, reason: "invalid_json" }
  const reader = req.body.getReader()
  const decoder = new TextDecoder()
  let size = 0
  let text = ""
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxBytes) {
        await reader.cancel()
        return { ok: false, reason: "too_large" }
      }
      text += decoder.decode(value, { stream: true })
    }
  } finally {
    reader.releaseLock()
  }
  try {
    return { ok: true, value: JSON.parse(text + decoder.decode()) }
  } catch {
    return { ok: false, reason: "invalid_json" }
  }
}
