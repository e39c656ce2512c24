import { InvalidArgumentError } from "../errors"

export const OUTPUT_FORMATS = ["jpeg", "png", "webp"] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/** The `image://{id}/view` query, validated. Zero means "not set" for sizes and crop. */
export interface ViewParams {
  format: OutputFormat | ""
  width: number
  height: number
  quality: number
  cropX: number
  cropY: number
  cropW: number
  cropH: number
  rotate: 0 | 90 | 180 | 270
  flip: "" | "horizontal" | "vertical"
}

export const DEFAULT_QUALITY = 90
/** Longest output edge accepted for width/height; the pixel cap applies on top. */
export const MAX_EDGE = 16384

const INTEGER = /^[+-]?\d+$/

function integer(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name)?.trim()
  if (raw === undefined || raw === "") return fallback
  if (!INTEGER.test(raw)) throw new InvalidArgumentError(`${name} must be an integer; got '${raw}'.`)
  const value = Number(raw)
  if (value < min || value > max)
    throw new InvalidArgumentError(`${name} must be between ${min} and ${max}; got ${value}.`)
  return value
}

/** Parses and checks the view query. Unknown parameters are ignored. */
export function parseViewParams(query: URLSearchParams): ViewParams {
  const format = (query.get("format") ?? "").trim().toLowerCase()
  const normalised = format === "jpg" ? "jpeg" : format
  if (normalised && !OUTPUT_FORMATS.includes(normalised as OutputFormat)) {
    throw new InvalidArgumentError(`Unsupported format '${format}'. Choose from: ['jpeg', 'png', 'webp']`)
  }
  const rotate = integer(query, "rotate", 0, -360, 360)
  const turn = ((rotate % 360) + 360) % 360
  if (turn % 90 !== 0) {
    throw new InvalidArgumentError(`rotate only supports 90, 180, or 270 degrees (clockwise); got ${rotate}.`)
  }
  const flip = (query.get("flip") ?? "").trim().toLowerCase()
  if (flip && flip !== "horizontal" && flip !== "vertical") {
    throw new InvalidArgumentError(`flip axis must be 'horizontal' or 'vertical'; got '${query.get("flip")}'.`)
  }
  const quality = integer(query, "quality", DEFAULT_QUALITY, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
  return {
    format: normalised as ViewParams["format"],
    width: integer(query, "width", 0, 0, MAX_EDGE),
    height: integer(query, "height", 0, 0, MAX_EDGE),
    quality: Math.min(100, Math.max(1, quality)),
    cropX: integer(query, "crop_x", 0, 0, Number.MAX_SAFE_INTEGER),
    cropY: integer(query, "crop_y", 0, 0, Number.MAX_SAFE_INTEGER),
    cropW: integer(query, "crop_w", 0, 0, Number.MAX_SAFE_INTEGER),
    cropH: integer(query, "crop_h", 0, 0, Number.MAX_SAFE_INTEGER),
    rotate: turn as ViewParams["rotate"],
    flip: flip as ViewParams["flip"],
  }
}

export function hasRegionCrop(p: ViewParams): boolean {
  return p.cropW > 0 && p.cropH > 0
}

/** True when the request changes nothing: the original bytes are served as they are. */
export function isIdentity(p: ViewParams): boolean {
  return !p.format && !p.width && !p.height && !hasRegionCrop(p) && !p.rotate && !p.flip
}
