import { type Handler, Hono } from "hono"
import { AppError, InvalidImageError } from "@/core/errors"
import type { ClaimOutcome, TransferLease, TransferService } from "@/core/transfer/service"
import type { DownloadBody, UploadResult } from "@/core/transfer/sinks"
import { createLogger } from "@/util/log"
import { HTTP_STATUS, httpErrorAnswer } from "./errors"

const log = createLogger("transfer")
const ALLOW = "GET, POST, PUT"
const CLOSE = { connection: "close" }
type HeaderMap = Record<string, string>

/** `/transfer/:token`, to mount outside MCP auth: the unguessable token is the credential. */
export function transferRoutes(transfers: TransferService): Hono {
  const app = new Hono()
  app.all("/transfer/:token", transferHandler(transfers))
  return app
}

/**
 * GET downloads, POST/PUT upload, anything else is 405. Unknown, expired, spent and wrong-kind links all get the
 * same 404 as any unknown path; a link another request is using gets 409. Logs name links by a hash prefix only.
 */
export function transferHandler(transfers: TransferService): Handler {
  return async (c) => {
    const token = c.req.param("token") ?? ""
    const method = c.req.method
    try {
      if (method === "GET") return await download(transfers, token)
      if (method === "POST" || method === "PUT") return await upload(transfers, token, c.req.raw)
      // HEAD too: Hono would run it as a GET, which would spend the link.
      return problem(405, "Method not allowed; use GET to download or POST/PUT to upload.", { allow: ALLOW, ...CLOSE })
    } catch (error) {
      const answer = httpErrorAnswer(error)
      if (answer.status >= 500) log.error("Transfer request failed", { method, error })
      return problem(answer.status, answer.body.error, { ...answer.headers, ...CLOSE })
    }
  }
}

async function download(transfers: TransferService, token: string): Promise<Response> {
  const claim = await transfers.claim(token, "download")
  if (claim.outcome !== "claimed") return refused(claim, {})
  const { lease } = claim
  let body: DownloadBody
  try {
    body = await transfers.read(lease)
  } catch (error) {
    await release(transfers, lease)
    if (error instanceof AppError && error.kind === "unavailable") {
      // The link stays usable; the store's address is for the log, not for whoever holds the link.
      log.warning("Transfer download failed: the image store is unavailable", { link: lease.tag, error })
      return problem(503, "The image store is unavailable right now; this link still works, retry shortly.")
    }
    log.warning("Transfer download failed: the image is gone or unreadable", { link: lease.tag, error })
    return problem(500, "The image behind this link could not be read.")
  }
  if (!(await transfers.complete(lease))) {
    log.warning("Transfer download abandoned: its lease lapsed and was taken over", { link: lease.tag })
    return problem(409, "This link was taken over by another request.")
  }
  log.info("Transfer download served", { link: lease.tag, bytes: body.size })
  const name = body.filename
  // Streamed, never held whole. Bun.serve keeps this Content-Length for a file's stream and, for now, drops it for
  // an S3 object's (chunked instead; oven-sh/bun#10507): see docs/decisions.md#s3-blob-store.
  return new Response(body.body, {
    status: 200,
    headers: {
      ...NO_STORE,
      "content-type": body.contentType,
      "content-length": String(body.size),
      "content-disposition": `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    },
  })
}

async function upload(transfers: TransferService, token: string, req: Request): Promise<Response> {
  const claim = await transfers.claim(token, "upload")
  if (claim.outcome !== "claimed") return refused(claim, CLOSE)
  const { lease } = claim
  let result: UploadResult
  try {
    const bytes = await readCapped(req, transfers.uploadCap)
    if (!bytes) {
      await release(transfers, lease)
      log.info("Transfer upload refused: too large", { link: lease.tag, cap: transfers.uploadCap })
      return problem(413, `The upload exceeds the ${transfers.uploadCap}-byte limit.`, CLOSE)
    }
    result = await transfers.write(lease, bytes)
  } catch (error) {
    await release(transfers, lease)
    if (!(error instanceof InvalidImageError)) throw error
    log.info("Transfer upload refused: not an accepted image", { link: lease.tag, code: error.code })
    const message =
      error.code === "too_many_pixels" ? error.detail : "The upload is not a decodable PNG, JPEG or WebP image."
    return problem(HTTP_STATUS[error.kind], message, CLOSE)
  }
  if (!(await transfers.complete(lease))) {
    log.warning("Transfer upload stored after its lease lapsed", { link: lease.tag, image: result.image_id })
  }
  log.info("Transfer upload stored", { link: lease.tag, image: result.image_id })
  return Response.json(result, { headers: NO_STORE })
}

/** The body, or undefined as soon as it grows past `cap` (the rest is never read). */
async function readCapped(req: Request, cap: number): Promise<Uint8Array | undefined> {
  if (Number(req.headers.get("content-length")) > cap) return undefined
  if (!req.body) return new Uint8Array()
  const reader = req.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > cap) {
      await reader.cancel().catch(() => {})
      return undefined
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

async function release(transfers: TransferService, lease: TransferLease): Promise<void> {
  await transfers
    .release(lease)
    .catch((error) => log.error("Could not release a transfer link", { link: lease.tag, error }))
}

const NO_STORE = { "cache-control": "no-store", "x-content-type-options": "nosniff" }

function refused(claim: Exclude<ClaimOutcome, { outcome: "claimed" }>, extra: HeaderMap): Response {
  log.debug(`Transfer link refused: ${claim.outcome}`, { link: claim.tag })
  if (claim.outcome === "conflict") return problem(409, "This link is in use by another request; retry shortly.", extra)
  return problem(404, "Not found", extra)
}

function problem(status: number, error: string, headers: HeaderMap = {}): Response {
  return Response.json({ error }, { status, headers: { ...NO_STORE, ...headers } })
}
