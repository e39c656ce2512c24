import type { Variables } from "@modelcontextprotocol/sdk/shared/uriTemplate.js"
import { InvalidArgumentError } from "@/core/errors"
import { IMAGE_ID_PATTERN } from "@/core/images/ids"

/** The `image_id` variable of an `image://` URI, checked for the 12-hex form. */
export function imageIdFrom(variables: Variables, uri: URL | string): string {
  const raw = variables.image_id
  const id = Array.isArray(raw) ? raw[0] : raw
  if (!id || !IMAGE_ID_PATTERN.test(id)) {
    throw new InvalidArgumentError(
      `Invalid image id '${id ?? ""}' in ${uri}: expected 12 lowercase hex characters. Read image://list to see available IDs.`,
    )
  }
  return id
}

/** Query parameters of a URI as URLSearchParams (template variables already split them out). */
export function queryOf(uri: URL | string): URLSearchParams {
  const text = uri.toString()
  const at = text.indexOf("?")
  return new URLSearchParams(at === -1 ? "" : text.slice(at + 1).split("#")[0])
}
