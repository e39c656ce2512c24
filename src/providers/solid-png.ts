import { buildPng } from "@/util/png"

/** An 8-bit PNG of one colour: RGB when `alpha` is undefined, RGBA otherwise. */
export function solidPng(
  width: number,
  height: number,
  rgb: readonly [number, number, number],
  alpha?: number,
): Uint8Array {
  const channels = alpha === undefined ? 3 : 4
  const pixel = alpha === undefined ? [...rgb] : [...rgb, alpha]
  const row = new Uint8Array(1 + width * channels)
  for (let x = 0; x < width; x++) row.set(pixel, 1 + x * channels)
  const rows = new Uint8Array(row.length * height)
  for (let y = 0; y < height; y++) rows.set(row, y * row.length)
  return buildPng(width, height, channels, rows)
}
