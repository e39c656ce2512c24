import { AppError } from "@/util/app-error"

export { AppError, type AppErrorOptions, ERROR_KINDS, type ErrorKind } from "@/util/app-error"

/** An argument the caller can fix; the message names the field and what it accepts, with no tag. */
export class InvalidArgumentError extends AppError {
  override name = "InvalidArgumentError"
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super("invalid_input", "invalid_argument", message, { ...opts, tag: null })
  }
}

export class ImageNotFoundError extends AppError {
  override name = "ImageNotFoundError"
  constructor(imageId: string, opts: { cause?: unknown } = {}) {
    super("not_found", "image_not_found", `Image '${imageId}' not found. Read image://list to see available IDs.`, opts)
  }
}

export class MetadataMissingError extends AppError {
  override name = "MetadataMissingError"
  constructor(imageId: string, opts: { cause?: unknown } = {}) {
    super(
      "not_found",
      "metadata_missing",
      `Metadata file missing for image '${imageId}'. Verify the image_id via image://list.`,
      opts,
    )
  }
}

/** A provider was named that this server does not have. */
export class ProviderNotAvailableError extends AppError {
  override name = "ProviderNotAvailableError"
  constructor(name: string, available: string[]) {
    super(
      "invalid_input",
      "provider_not_available",
      `Provider '${name}' not available. Available: ${available.join(", ")}`,
      { tag: name },
    )
  }
}

/** No provider can take a generation at all. */
export class NoProvidersError extends AppError {
  override name = "NoProvidersError"
  constructor(message: string, tag: string) {
    super("unavailable", "no_providers", message, { tag })
  }
}

/** Bytes that are not an image this server accepts; `code` tells which limit or check refused them. */
export class InvalidImageError extends AppError {
  override name = "InvalidImageError"
  constructor(
    message: string,
    opts: { cause?: unknown; code?: "invalid_image" | "too_many_pixels" | "input_too_large" } = {},
  ) {
    super("invalid_input", opts.code ?? "invalid_image", message, { cause: opts.cause })
  }
}

/** Something the server itself got wrong (a broken invariant); the message is still safe to show. */
export class InternalError extends AppError {
  override name = "InternalError"
  constructor(code: string, message: string, opts: { cause?: unknown } = {}) {
    super("internal", code, message, opts)
  }
}
