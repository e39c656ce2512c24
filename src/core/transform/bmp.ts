const FILE_HEADER = 14
const INFO_HEADER = 124

/**
 * A top-down 32-bit BMP whose bitfield masks read the pixel bytes as straight RGBA, so pixels are copied in
 * unchanged. Bun.Image decodes it losslessly (alpha included) and with no decompression: the cheapest way
 * to hand pixels back to it.
 */
export function rgbaBmp(width: number, height: number): { bytes: Uint8Array; pixels: Uint8Array } {
  const size = width * height * 4
  // Not zero-filled: every pixel byte is written by the caller, and zeroing hundreds of MB would stall the loop.
  const bytes = new Uint8Array(Buffer.allocUnsafeSlow(FILE_HEADER + INFO_HEADER + size).buffer)
  bytes.fill(0, 0, FILE_HEADER + INFO_HEADER)
  const view = new DataView(bytes.buffer)
  bytes[0] = 0x42
  bytes[1] = 0x4d
  view.setUint32(2, bytes.length, true)
  view.setUint32(10, FILE_HEADER + INFO_HEADER, true)
  view.setUint32(14, INFO_HEADER, true)
  view.setInt32(18, width, true)
  view.setInt32(22, -height, true)
  view.setUint16(26, 1, true)
  view.setUint16(28, 32, true)
  view.setUint32(30, 3, true)
  view.setUint32(34, size, true)
  view.setUint32(54, 0x000000ff, true)
  view.setUint32(58, 0x0000ff00, true)
  view.setUint32(62, 0x00ff0000, true)
  view.setUint32(66, 0xff000000, true)
  view.setUint32(70, 0x73524742, true)
  return { bytes, pixels: bytes.subarray(FILE_HEADER + INFO_HEADER) }
}
