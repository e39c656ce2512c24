/**
 * Domain errors with a stable `code`. They render as `[<tag>] <message>` like the reference server,
 * and are translated to MCP or HTTP shapes only at the edges.
 */
export class AppError extends Error {
  override name = "AppError"
  readonly code: string
  readonly tag: string

  constructor(code: string, message: string, opts: { tag?: string; cause?: unknown } = {}) {
    const tag = opts.tag ?? "server"
    super(`[${tag}] ${message}`, { cause: opts.cause })
    this.code = code
    this.tag = tag
  }
}

/** An argument the caller can fix; the message names the field and what it accepts. */
export class InvalidArgumentError extends Error {
  override name = "InvalidArgumentError"
  readonly code = "invalid_argument"
}

export class ImageNotFoundError extends AppError {
  constructor(imageId: string, opts: { cause?: unknown } = {}) {
    super("image_not_found", `Image '${imageId}' not found. Read image://list to see available IDs.`, opts)
  }
}

export class MetadataMissingError extends AppError {
  constructor(imageId: string, opts: { cause?: unknown } = {}) {
    super(
      "metadata_missing",
      `Metadata file missing for image '${imageId}'. Verify the image_id via image://list.`,
      opts,
    )
  }
}

export class ProviderNotAvailableError extends AppError {
  constructor(name: string, available: string[]) {
    super("provider_not_available", `Provider '${name}' not available. Available: ${available.join(", ")}`, {
      tag: name,
    })
  }
}

export class InvalidImageError extends AppError {
  constructor(message: string, opts: { cause?: unknown; code?: string } = {}) {
    super(opts.code ?? "invalid_image", message, opts)
  }
}
