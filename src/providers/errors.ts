/** A provider failure, rendered as `[<provider>] <message>`. */
export class ProviderError extends Error {
  override name = "ProviderError"
  readonly code: string = "provider_error"
  readonly provider: string

  constructor(provider: string, message: string, opts: { cause?: unknown } = {}) {
    super(`[${provider}] ${message}`, opts)
    this.provider = provider
  }
}

/** The vendor refused the prompt on content-policy grounds. */
export class ContentPolicyError extends ProviderError {
  override name = "ContentPolicyError"
  override readonly code = "content_policy"
}

/** The vendor could not be reached, or timed out. */
export class ProviderConnectionError extends ProviderError {
  override name = "ProviderConnectionError"
  override readonly code = "provider_unreachable"
}

/** The provider or model does not take reference images. */
export class InputUnsupportedError extends ProviderError {
  override name = "InputUnsupportedError"
  override readonly code = "input_unsupported"
  constructor(provider: string, model?: string | null) {
    const which = model ? ` model '${model}'` : ""
    super(
      provider,
      `does not support reference-image input${which}. Use a model that reports supports_image_input — see list_providers.`,
    )
  }
}

/** More reference images than the model accepts. */
export class TooManyInputImagesError extends ProviderError {
  override name = "TooManyInputImagesError"
  override readonly code = "too_many_input_images"
  constructor(provider: string, model: string | null | undefined, max: number, given: number) {
    const which = model ? `Model '${model}'` : "This model"
    super(provider, `${which} accepts at most ${max} reference image(s); ${given} were given.`)
  }
}
