// Moving and resizing the crop box in displayed-image units (pure; the editor turns pointer and key events into
// these calls). `ratio` is width / height, undefined for a free box.
import { type Box, clamp, type Size } from "./crop-math"

export type Corner = "nw" | "ne" | "sw" | "se"

export const ASPECT_PRESETS: readonly { label: string; ratio: number | undefined }[] = [
  { label: "Free", ratio: undefined },
  { label: "1:1", ratio: 1 },
  { label: "16:9", ratio: 16 / 9 },
  { label: "4:3", ratio: 4 / 3 },
]

/** Smallest box side, so the box stays visible and grabbable. */
export function minSide(bounds: Size): number {
  return Math.max(1, Math.min(bounds.width, bounds.height) / 20)
}

export function fullBox(bounds: Size): Box {
  return { x: 0, y: 0, w: bounds.width, h: bounds.height }
}

/** The largest box of `ratio` inside the image, centred where `box` is centred (as far as the edges allow). */
export function fitAspect(box: Box, ratio: number | undefined, bounds: Size): Box {
  if (!ratio) return clampBox(box, bounds)
  const w = Math.min(bounds.width, bounds.height * ratio)
  const h = w / ratio
  const cx = box.x + box.w / 2
  const cy = box.y + box.h / 2
  return clampBox({ x: cx - w / 2, y: cy - h / 2, w, h }, bounds)
}

/** Keeps the box inside the image: shrinks it to fit, then shifts it in. */
export function clampBox(box: Box, bounds: Size): Box {
  const w = clamp(box.w, 1, bounds.width)
  const h = clamp(box.h, 1, bounds.height)
  return { x: clamp(box.x, 0, bounds.width - w), y: clamp(box.y, 0, bounds.height - h), w, h }
}

export function moveBox(box: Box, dx: number, dy: number, bounds: Size): Box {
  return clampBox({ ...box, x: box.x + dx, y: box.y + dy }, bounds)
}

/** Grows (positive) or shrinks the box from its top-left corner; with a ratio the other side follows. */
export function resizeBox(box: Box, dw: number, dh: number, ratio: number | undefined, bounds: Size): Box {
  const min = minSide(bounds)
  let w = clamp(box.w + dw, min, bounds.width - box.x)
  let h = clamp(box.h + dh, min, bounds.height - box.y)
  if (ratio) {
    if (dw !== 0) h = w / ratio
    else w = h * ratio
    const scale = Math.min(1, (bounds.width - box.x) / w, (bounds.height - box.y) / h)
    w *= scale
    h *= scale
  }
  return { ...box, w, h }
}

/** The box after dragging `corner` to `point`; the opposite corner stays put. */
export function dragCorner(
  box: Box,
  corner: Corner,
  point: { x: number; y: number },
  ratio: number | undefined,
  bounds: Size,
): Box {
  const min = minSide(bounds)
  const west = corner === "nw" || corner === "sw"
  const north = corner === "nw" || corner === "ne"
  const ax = west ? box.x + box.w : box.x
  const ay = north ? box.y + box.h : box.y
  const maxW = west ? ax : bounds.width - ax
  const maxH = north ? ay : bounds.height - ay
  let w = clamp(Math.abs(point.x - ax), min, maxW)
  let h = clamp(Math.abs(point.y - ay), min, maxH)
  if (ratio) {
    if (w / h > ratio) w = h * ratio
    else h = w / ratio
    const scale = Math.min(1, maxW / w, maxH / h)
    w *= scale
    h *= scale
  }
  return { x: west ? ax - w : ax, y: north ? ay - h : ay, w, h }
}
