// Geometry of the image editor, free of the DOM so it can be unit-tested. The server applies an edit as
// crop (on the original) → rotate clockwise → flip horizontally → flip vertically. The editor shows the whole
// image already rotated and flipped, and the crop box is drawn in that displayed space; mapping the box back
// through the inverse transform gives the crop on the original, and the saved image is exactly the boxed part.

export type Rotation = 0 | 90 | 180 | 270

export interface Orientation {
  /** Clockwise degrees, applied before the flips. */
  rotate: Rotation
  flipH: boolean
  flipV: boolean
}

export interface Box {
  x: number
  y: number
  w: number
  h: number
}

export interface Size {
  width: number
  height: number
}

export const UPRIGHT: Orientation = { rotate: 0, flipH: false, flipV: false }

const quarter = (r: Rotation) => r === 90 || r === 270

/** The displayed (rotated) image's size in original pixels. */
export function displayedSize(original: Size, o: Orientation): Size {
  return quarter(o.rotate) ? { width: original.height, height: original.width } : { ...original }
}

/**
 * The affine map [a, b, c, d, e, f] (canvas `setTransform` order: X = a·x + c·y + e, Y = b·x + d·y + f) taking a
 * point of the original image to the displayed image.
 */
export function displayMatrix(original: Size, o: Orientation): [number, number, number, number, number, number] {
  const { width: W, height: H } = original
  const rotations: Record<Rotation, [number, number, number, number, number, number]> = {
    0: [1, 0, 0, 1, 0, 0],
    90: [0, 1, -1, 0, H, 0],
    180: [-1, 0, 0, -1, W, H],
    270: [0, -1, 1, 0, 0, W],
  }
  let [a, b, c, d, e, f] = rotations[o.rotate]
  const shown = displayedSize(original, o)
  if (o.flipH) [a, c, e] = [-a, -c, shown.width - e]
  if (o.flipV) [b, d, f] = [-b, -d, shown.height - f]
  return [a, b, c, d, e, f]
}

/** A displayed-space box mapped onto the original image (same area, in original pixels). */
export function toOriginal(box: Box, original: Size, o: Orientation): Box {
  const shown = displayedSize(original, o)
  let { x, y } = box
  const { w, h } = box
  if (o.flipV) y = shown.height - y - h
  if (o.flipH) x = shown.width - x - w
  const { width: W, height: H } = original
  switch (o.rotate) {
    case 90:
      return { x: y, y: H - x - w, w: h, h: w }
    case 180:
      return { x: W - x - w, y: H - y - h, w, h }
    case 270:
      return { x: W - y - h, y: x, w: h, h: w }
    default:
      return { x, y, w, h }
  }
}

/** An original-space box as it appears in the displayed image (the inverse of `toOriginal`). */
export function toDisplayed(box: Box, original: Size, o: Orientation): Box {
  const { width: W, height: H } = original
  const { x, y, w, h } = box
  let out: Box
  switch (o.rotate) {
    case 90:
      out = { x: H - y - h, y: x, w: h, h: w }
      break
    case 180:
      out = { x: W - x - w, y: H - y - h, w, h }
      break
    case 270:
      out = { x: y, y: W - x - w, w: h, h: w }
      break
    default:
      out = { x, y, w, h }
  }
  const shown = displayedSize(original, o)
  if (o.flipH) out.x = shown.width - out.x - out.w
  if (o.flipV) out.y = shown.height - out.y - out.h
  return out
}

/** The server's `crop` for a displayed box: whole pixels inside the original, or undefined when it keeps everything. */
export function originalCrop(box: Box, original: Size, o: Orientation): Box | undefined {
  const b = toOriginal(box, original, o)
  const x0 = clamp(Math.round(b.x), 0, original.width - 1)
  const y0 = clamp(Math.round(b.y), 0, original.height - 1)
  const x1 = clamp(Math.round(b.x + b.w), x0 + 1, original.width)
  const y1 = clamp(Math.round(b.y + b.h), y0 + 1, original.height)
  if (x0 <= 0 && y0 <= 0 && x1 >= original.width && y1 >= original.height) return undefined
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }
}

/**
 * Turns the displayed image a quarter turn (`direction` 1 = clockwise on screen). With one flip active the stored
 * rotation must turn the other way, because the flip comes after the rotation.
 */
export function rotateDisplayed(o: Orientation, direction: 1 | -1): Orientation {
  const mirrored = o.flipH !== o.flipV
  const step = mirrored ? -direction : direction
  return { ...o, rotate: ((((o.rotate + step * 90) % 360) + 360) % 360) as Rotation }
}

/** The arguments of `_save_edited_image` for this edit (crop omitted when it keeps the whole image). */
export function saveArguments(
  sourceImageId: string,
  box: Box,
  original: Size,
  o: Orientation,
): Record<string, unknown> {
  const crop = originalCrop(box, original, o)
  return {
    source_image_id: sourceImageId,
    ...(crop && { crop }),
    ...(o.rotate && { rotate: o.rotate }),
    ...(o.flipH && { flip_horizontal: true }),
    ...(o.flipV && { flip_vertical: true }),
  }
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max)
}
