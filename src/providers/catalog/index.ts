import type { StyleProfile } from "../types"
import { CLOUD_PROFILES } from "./cloud"
import { SD_CHECKPOINT_PATTERNS } from "./sd-checkpoints"

/** The style profile of a model: exact keys for cloud models, ordered patterns for SD checkpoints. */
export function styleProfileFor(provider: string, modelId: string): StyleProfile | undefined {
  if (provider === "sd_webui") {
    const name = modelId.toLowerCase()
    return SD_CHECKPOINT_PATTERNS.find(([pattern]) => pattern.test(name))?.[1]
  }
  return CLOUD_PROFILES[`${provider}:${modelId}`]
}
