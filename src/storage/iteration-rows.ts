import type { Iteration, StoredRequest } from "./types"

/** The iteration columns (seed, batch, regenerate) that images and jobs both carry. */
export interface IterationRow {
  seed: number | null
  batch_id: string | null
  batch_index: number | null
  regenerated_from: string | null
  request: string | null
}

export function iterationFromRow(row: IterationRow): Iteration {
  return {
    seed: row.seed === null ? null : Number(row.seed),
    batchId: row.batch_id,
    batchIndex: row.batch_index,
    regeneratedFrom: row.regenerated_from,
    request: row.request === null ? null : (JSON.parse(row.request) as StoredRequest),
  }
}

export function iterationToRow(record: Iteration): IterationRow {
  return {
    seed: record.seed ?? null,
    batch_id: record.batchId ?? null,
    batch_index: record.batchIndex ?? null,
    regenerated_from: record.regeneratedFrom ?? null,
    request: record.request ? JSON.stringify(record.request) : null,
  }
}
