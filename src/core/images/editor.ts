import type { ImageRecord } from "@/storage"
import { InvalidArgumentError } from "../errors"
import { DEFAULT_QUALITY, isIdentity, type ViewParams } from "../transform/params"
import { transformImage } from "../transform/pipeline"
import { probeImage } from "../transform/probe"
import type { ImageRegistry } from "./registry"

/** The provider name recorded on images saved by the editor. */
export const EDITED_PROVIDER = "edited"

export interface CropBox {
  x: number
  y: number
  w: number
  h: number
}

export interface EditRequest {
  sourceImageId: string
  /** `{x, y, w, h}` in source pixels; checked here, so the widget's raw value can be passed as it is. */
  crop?: unknown
  /** Clockwise degrees: 90, 180 or 270; 0 or null means none. */
  rotate?: number | null
  flipHorizontal?: boolean
  flipVertical?: boolean
}

/** The image editor's back end: opens an original and saves an edit as a new image with its provenance. */
export class ImageEditor {
  private readonly images: ImageRegistry
  private readonly maxPixels: number

  constructor(images: ImageRegistry, maxPixels: number) {
    this.images = images
    this.maxPixels = maxPixels
  }

  async open(id: string): Promise<{ record: ImageRecord; bytes: Uint8Array }> {
    const record = await this.images.require(id)
    return { record, bytes: await this.images.readOriginal(record) }
  }

  /**
   * Crop → rotate (clockwise) → flip horizontally → flip vertically, in the source's format, registered as a new
   * generated image (provider `edited`, the source's prompt, `source_image_ids: [source]`) under a content-addressed id.
   */
  async save(request: EditRequest): Promise<ImageRecord> {
    const { record, bytes } = await this.open(request.sourceImageId)
    const params = editParams(request, record)
    if (isIdentity(params)) {
      throw new InvalidArgumentError(
        "The edit changes nothing (no crop, rotation or flip, or they cancel out); nothing was saved.",
      )
    }
    const info = { ...probeImage(bytes, this.maxPixels, "stored image"), contentType: record.contentType }
    const edited = await transformImage(bytes, info, params, this.maxPixels)
    return this.images.register({
      bytes: edited.bytes,
      contentType: edited.contentType,
      prompt: record.prompt,
      negativePrompt: null,
      provider: EDITED_PROVIDER,
      aspectRatio: "1:1",
      quality: "standard",
      background: "opaque",
      providerMetadata: {},
      sourceImageIds: [record.id],
      origin: "generated",
    })
  }
}

/** The view pipeline's parameters for an edit. Flipping both ways is a half turn, so it folds into the rotation. */
export function editParams(request: EditRequest, source: { width: number; height: number }): ViewParams {
  const crop = parseCrop(request.crop)
  if (crop) checkCrop(crop, source)
  let rotate = request.rotate ?? 0
  if (rotate && rotate !== 90 && rotate !== 180 && rotate !== 270) {
    throw new InvalidArgumentError(`rotate only supports 90, 180, or 270 degrees (clockwise); got ${rotate}.`)
  }
  let flip: ViewParams["flip"] = request.flipHorizontal ? "horizontal" : request.flipVertical ? "vertical" : ""
  if (request.flipHorizontal && request.flipVertical) {
    rotate = (rotate + 180) % 360
    flip = ""
  }
  return {
    format: "",
    width: 0,
    height: 0,
    quality: DEFAULT_QUALITY,
    cropX: crop?.x ?? 0,
    cropY: crop?.y ?? 0,
    cropW: crop?.w ?? 0,
    cropH: crop?.h ?? 0,
    rotate: rotate as ViewParams["rotate"],
    flip,
  }
}

/** `{x, y, w, h}` as integers; numbers are truncated and integer strings accepted, as Python's int() does. */
export function parseCrop(crop: unknown): CropBox | undefined {
  if (crop === null || crop === undefined) return undefined
  const fail = () =>
    new InvalidArgumentError(`crop must have integer keys x, y, w, h; got ${JSON.stringify(crop) ?? String(crop)}`)
  if (typeof crop !== "object" || Array.isArray(crop)) throw fail()
  const fields = crop as Record<string, unknown>
  const box: number[] = []
  for (const key of ["x", "y", "w", "h"]) {
    const value = fields[key]
    const number =
      typeof value === "number"
        ? value
        : typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)
          ? Number(value)
          : NaN
    if (!Number.isFinite(number)) throw fail()
    box.push(Math.trunc(number))
  }
  const [x = 0, y = 0, w = 0, h = 0] = box
  return { x, y, w, h }
}

function checkCrop(crop: CropBox, size: { width: number; height: number }): void {
  const { x, y, w, h } = crop
  if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > size.width || y + h > size.height) {
    throw new InvalidArgumentError(
      `Crop box (${x}, ${y}, ${w}x${h}) does not fit within image dimensions ${size.width}x${size.height}.`,
    )
  }
}
