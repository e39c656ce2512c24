import type { UsageRecord } from "@/storage"
import { AppError, type ErrorKind } from "../errors"

/** How a provider call ended, as the generation path saw it. */
export type CallEnd =
  /** `previews`: the billed previews the provider sent; `costMicros`: the cost when it is not the estimate. */
  | { kind: "completed"; previews?: number; costMicros?: number | null }
  | { kind: "failed"; error: unknown }
  | { kind: "cancelled" }
  /** Stopped by a shutdown, or found still reserved after a restart. */
  | { kind: "interrupted" }
  /** Never handed to the provider (the job could not be recorded). */
  | { kind: "not_sent" }

/** Failures that mean the provider could not be reached or we broke: the request may have been billed. */
const UNCERTAIN_FAILURES: ReadonlySet<ErrorKind> = new Set(["unavailable", "internal"])

/**
 * What the ledger records for a call that ended (docs/decisions.md#usage-ledger): an image back is charged its
 * estimate; a refusal by the provider costs nothing; an end without an answer (cancelled, timed out, interrupted)
 * may have been billed, so it keeps its estimate as `uncertain`. An unknown price stays unknown (null).
 */
export function settlement(
  end: CallEnd,
  estimateMicros: number | null,
): Pick<UsageRecord, "outcome" | "billing" | "costMicros"> {
  switch (end.kind) {
    case "completed":
      return { outcome: "completed", billing: "charged", costMicros: end.costMicros ?? estimateMicros }
    case "not_sent":
      return { outcome: "failed", billing: "none", costMicros: 0 }
    case "cancelled":
    case "interrupted":
      return { outcome: end.kind, billing: "uncertain", costMicros: estimateMicros }
    case "failed": {
      const refused = end.error instanceof AppError && !UNCERTAIN_FAILURES.has(end.error.kind)
      if (refused) return { outcome: "failed", billing: "none", costMicros: 0 }
      return { outcome: "failed", billing: "uncertain", costMicros: estimateMicros }
    }
  }
}
