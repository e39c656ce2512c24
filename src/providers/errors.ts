import { AppError, type ErrorKind } from "@/util/app-error"

export interface ProviderErrorOptions {
  cause?: unknown
  /** How an edge should treat it. @default "upstream_refused" */
  kind?: ErrorKind
  /** Stable machine name. @default "provider_error" */
  code?: string
  /** With `kind: "limit_reached"`: seconds after which trying again may succeed. */
  retryAfterS?: number
}

/** A provider failure, rendered as `[<provider>] <message>`. Plain, it means the vendor refused the request. */
export class ProviderError extends AppError {
  override name = "ProviderError"
  readonly provider: string

  constructor(provider: string, message: string, opts: ProviderErrorOptions = {}) {
    const { kind = "upstream_refused", code = "provider_error", ...rest } = opts
    super(kind, code, message, { ...rest, tag: provider })
    this.provider = provider
  }
}

/** The vendor refused the prompt on content-policy grounds. */
export class ContentPolicyError extends ProviderError {
  override name = "ContentPolicyError"
  constructor(provider: string, message: string, opts: { cause?: unknown } = {}) {
    super(provider, message, { ...opts, kind: "content_policy", code: "content_policy" })
  }
}

/** The vendor could not be reached, or timed out. */
export class ProviderConnectionError extends ProviderError {
  override name = "ProviderConnectionError"
  constructor(provider: string, message: string, opts: { cause?: unknown } = {}) {
    super(provider, message, { ...opts, kind: "unavailable", code: "provider_unreachable" })
  }
}

/** The vendor refused the server's credentials (a missing, wrong or revoked API key). */
export class ProviderAuthError extends ProviderError {
  override name = "ProviderAuthError"
  constructor(provider: string, message: string, opts: { cause?: unknown } = {}) {
    super(provider, message, { ...opts, kind: "unauthorized", code: "provider_unauthorized" })
  }
}

/** The vendor's rate limit or quota was hit; `retryAfterS` when it said how long to wait. */
export class ProviderRateLimitError extends ProviderError {
  override name = "ProviderRateLimitError"
  constructor(provider: string, message: string, opts: { cause?: unknown; retryAfterS?: number } = {}) {
    super(provider, message, { ...opts, kind: "limit_reached", code: "provider_rate_limited" })
  }
}

/** The vendor does not know what was asked for (a model, a checkpoint, a job). */
export class UpstreamNotFoundError extends ProviderError {
  override name = "UpstreamNotFoundError"
  constructor(provider: string, message: string, opts: { cause?: unknown } = {}) {
    super(provider, message, { ...opts, kind: "not_found", code: "upstream_not_found" })
  }
}

/** The provider or model does not take reference images. */
export class InputUnsupportedError extends ProviderError {
  override name = "InputUnsupportedError"
  constructor(provider: string, model?: string | null) {
    const which = model ? ` model '${model}'` : ""
    super(
      provider,
      `does not support reference-image input${which}. Use a model that reports supports_image_input — see list_providers.`,
      { kind: "invalid_input", code: "input_unsupported" },
    )
  }
}

/** More reference images than the model accepts. */
export class TooManyInputImagesError extends ProviderError {
  override name = "TooManyInputImagesError"
  constructor(provider: string, model: string | null | undefined, max: number, given: number) {
    const which = model ? `Model '${model}'` : "This model"
    super(provider, `${which} accepts at most ${max} reference image(s); ${given} were given.`, {
      kind: "invalid_input",
      code: "too_many_input_images",
    })
  }
}
