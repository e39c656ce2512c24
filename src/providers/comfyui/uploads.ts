// References and masks go to ComfyUI's input folder (server.py image_upload, 0.3.64): POST /upload/image stores a
// file (a file with the same name and bytes is reused), POST /upload/mask copies the alpha channel of the uploaded
// mask onto `original_ref` and stores the result, which LoadImage then reads as IMAGE plus MASK (mask = 1 - alpha).
import { concatBytes } from "@/util/png"
import { ProviderError } from "../errors"
import { hasAlphaChannel } from "../openai/mask"
import type { InputImage } from "../types"
import { unreadable, upstreamError } from "./errors"
import { type ComfyClient, json, PROVIDER, request } from "./http"

/** Our uploads go into this subfolder of ComfyUI's input folder, named by their content. */
export const UPLOAD_SUBFOLDER = "image-generation-mcp"

const EXTENSIONS: Record<InputImage["contentType"], string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/webp": "webp",
}

const contentName = (data: Uint8Array, suffix: string) =>
  `${new Bun.CryptoHasher("sha256").update(data).digest("hex").slice(0, 20)}${suffix}`

async function upload(
  client: ComfyClient,
  path: "/upload/image" | "/upload/mask",
  file: { data: Uint8Array; name: string; type: string },
  extra: Record<string, string>,
  signal: AbortSignal,
): Promise<string> {
  const form = new FormData()
  form.append("image", new Blob([file.data], { type: file.type }), file.name)
  form.append("type", "input")
  form.append("subfolder", UPLOAD_SUBFOLDER)
  for (const [key, value] of Object.entries(extra)) form.append(key, value)
  const response = await request(client, path, { form, signal })
  if (response.status !== 200) throw upstreamError(client, path, response)
  const answer = json(response) as { name?: unknown; subfolder?: unknown } | undefined
  if (typeof answer?.name !== "string") throw unreadable(client, path, response)
  const subfolder = typeof answer.subfolder === "string" ? answer.subfolder : ""
  return subfolder ? `${subfolder}/${answer.name}` : answer.name
}

/** Uploads the reference; returns the name LoadImage takes (`subfolder/file`). */
export function uploadReference(client: ComfyClient, reference: InputImage, signal: AbortSignal): Promise<string> {
  const name = contentName(reference.data, `.${EXTENSIONS[reference.contentType]}`)
  return upload(client, "/upload/image", { data: reference.data, name, type: reference.contentType }, {}, signal)
}

/**
 * Puts the mask into the alpha channel of the uploaded reference (`referenceName`) with /upload/mask; returns the
 * name of the combined file. Transparent pixels of the mask mark what is repainted, as everywhere in this server.
 */
export async function uploadMask(
  client: ComfyClient,
  mask: InputImage,
  reference: InputImage,
  referenceName: string,
  signal: AbortSignal,
): Promise<string> {
  const png = await maskAtSize(mask, reference)
  const [subfolder, filename] = referenceName.includes("/")
    ? [referenceName.slice(0, referenceName.lastIndexOf("/")), referenceName.slice(referenceName.lastIndexOf("/") + 1)]
    : ["", referenceName]
  const originalRef = JSON.stringify({ filename, subfolder, type: "input" })
  const name = contentName(concatBytes([png, reference.data]), "-mask.png")
  // Named by both inputs, so the same pair always makes the same file: overwrite it rather than pile up copies
  // (ComfyUI compares the upload with the stored file, which holds the reference's pixels, not the mask's).
  const extra = { original_ref: originalRef, overwrite: "true" }
  return upload(client, "/upload/mask", { data: png, name, type: "image/png" }, extra, signal)
}

/** The mask as a PNG the size of the reference (ComfyUI copies alpha pixel for pixel). */
async function maskAtSize(mask: InputImage, reference: InputImage): Promise<Uint8Array> {
  if (!hasAlphaChannel(mask.data)) {
    throw maskError(
      "The mask has no alpha channel. ComfyUI repaints where the mask is fully transparent: give a PNG or WebP with transparency there and opaque pixels elsewhere.",
    )
  }
  const size = async (data: Uint8Array, what: string) => {
    try {
      return await new Bun.Image(data).metadata()
    } catch {
      throw maskError(`The ${what} could not be read as an image.`)
    }
  }
  const [image, source] = await Promise.all([size(reference.data, "reference image"), size(mask.data, "mask")])
  const sameSize = image.width === source.width && image.height === source.height
  if (
    !sameSize &&
    Math.abs(image.width * source.height - image.height * source.width) > 0.01 * image.width * source.height
  ) {
    throw maskError(
      `The mask is ${source.width}x${source.height} but the reference image is ${image.width}x${image.height}. A mask must have the shape of the reference (a different scale is resized).`,
    )
  }
  // Nearest-neighbour keeps transparent pixels fully transparent.
  const img = new Bun.Image(mask.data)
  return (sameSize ? img : img.resize(image.width, image.height, { filter: "nearest" }))
    .png({ compressionLevel: 3 })
    .bytes()
}

const maskError = (message: string) =>
  new ProviderError(PROVIDER, message, { kind: "invalid_input", code: "invalid_mask" })
