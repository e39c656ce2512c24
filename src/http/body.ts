export type BodyResult = { ok: true; value: unknown } | { ok: false; reason: "too_large" | "invalid_json" }

/** Reads a request body as text, giving up (undefined) once it grows past `maxBytes`. */
export async function readLimitedText(req: Request, maxBytes: number): Promise<string | undefined> {
  if (Number(req.headers.get("content-length")) > maxBytes) return undefined
  if (!req.body) return ""
  const reader = req.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxBytes) {
        await reader.cancel()
        return undefined
      }
      chunks.push(value)
    }
  } finally {
    reader.releaseLock()
  }
  return Buffer.concat(chunks).toString("utf8")
}

/** Reads and parses a JSON body, stopping as soon as it grows past `maxBytes`. */
export async function readJsonBody(req: Request, maxBytes: number): Promise<BodyResult> {
  const text = await readLimitedText(req, maxBytes)
  if (text === undefined) return { ok: false, reason: "too_large" }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false, reason: "invalid_json" }
  }
}
