import { AppError } from "../errors"

/** Why a base64 payload was refused; the message is shown to the user after "Could not decode the image: ". */
export class Base64Error extends AppError {
  override name = "Base64Error"
  constructor(message: string) {
    super("invalid_input", "invalid_base64", message, { tag: null })
  }
}

const DATA_URI_PREFIX = /^data:[^,]*;base64,/i
const STRICT = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * Accepts raw base64, a `data:…;base64,` URI, or line-wrapped base64. Padding is required and only the standard
 * alphabet is accepted. The decoded size is checked against `maxBytes` before anything is decoded.
 */
export function decodeBase64Image(data: string, maxBytes: number): Uint8Array {
  const text = data.trim().replace(DATA_URI_PREFIX, "").replace(/\s+/g, "")
  if (!text) throw new Base64Error("no data was given.")
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0
  const decodedSize = Math.floor(text.length / 4) * 3 - padding
  if (decodedSize > maxBytes) {
    throw new Base64Error(`the decoded image would be ${decodedSize} bytes; the limit is ${maxBytes} bytes.`)
  }
  if (text.length % 4 !== 0 || !STRICT.test(text)) {
    throw new Base64Error("the data is not valid base64 (standard alphabet, with = padding).")
  }
  return new Uint8Array(Buffer.from(text, "base64"))
}
