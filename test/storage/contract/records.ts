import { isoTimestamp } from "@/core/time"
import type { ImageRecord, JobRecord } from "@/storage"

/** 2026-03-24T00:00:00Z */
export const MARCH_24 = 1_774_310_400
export const DAY = 86_400

let seq = 0

/** What a record of a single call without a seed reads back as. */
const NO_ITERATION = { seed: null, batchId: null, batchIndex: null, regeneratedFrom: null, request: null }

/** An image row with a fresh id, created one second after the previous one unless `fields` say otherwise. */
export function image(prompt: string, fields: Partial<ImageRecord> = {}): ImageRecord {
  const id = (++seq).toString(16).padStart(12, "0")
  const createdEpoch = fields.createdEpoch ?? MARCH_24 + seq
  return {
    id,
    prompt,
    negativePrompt: null,
    provider: "placeholder",
    aspectRatio: "1:1",
    quality: "standard",
    background: "opaque",
    contentType: "image/png",
    originalFilename: `${id}-original.png`,
    originalSizeBytes: 100,
    width: 8,
    height: 8,
    providerMetadata: {},
    createdAt: isoTimestamp(createdEpoch),
    createdEpoch,
    sourceImageIds: [],
    origin: "generated",
    originSource: null,
    ...NO_ITERATION,
    ...fields,
  }
}

export function job(fields: Partial<JobRecord> = {}): JobRecord {
  const id = `j${(++seq).toString(16).padStart(11, "0")}`
  return {
    id,
    prompt: "p",
    provider: "placeholder",
    negativePrompt: null,
    aspectRatio: "1:1",
    quality: "standard",
    background: "opaque",
    model: null,
    status: "generating",
    error: null,
    createdEpoch: MARCH_24 + seq,
    completedEpoch: null,
    progress: 0,
    progressMessage: "",
    sourceImageIds: [],
    owner: "replica-a",
    leaseExpiresEpoch: MARCH_24 + 30,
    ...NO_ITERATION,
    ...fields,
  }
}
