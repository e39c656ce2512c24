import { AppError, InvalidArgumentError } from "@/core/errors"

/** ASCII only, so look-alike letters, dots, slashes and NUL bytes can never form a path. */
export const STYLE_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/

/** No style in the library has this name. */
export class StyleNotFoundError extends AppError {
  constructor(name: string) {
    super("not_found", "style_not_found", `Style not found: '${name}'. Use style://list to see available styles.`)
  }
}

/** The style was listed, but its file vanished before it could be read. */
export class StyleFileMissingError extends AppError {
  constructor(name: string, opts: { cause?: unknown } = {}) {
    super(
      "not_found",
      "style_file_missing",
      `Style file missing on disk for '${name}'. The file may have been deleted externally.`,
      opts,
    )
  }
}

/** A save that would overwrite a file holding something other than this style. */
export class StyleConflictError extends AppError {
  constructor(message: string) {
    super("conflict", "style_conflict", message)
  }
}

/** Reading or writing the styles directory failed. */
export class StyleStorageError extends AppError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super("internal", "style_storage", message, opts)
  }
}

export function assertStyleName(name: string): void {
  if (!STYLE_NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError(
      `Invalid style name: '${name}'. Use only alphanumeric characters, hyphens, and underscores. Must start with an alphanumeric character.`,
    )
  }
}
