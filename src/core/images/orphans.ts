import type { BlobStore, ImageStore } from "@/storage"

/** How old an object without an image row must be before it is removed: far above any write-then-commit. */
export const ORPHAN_GRACE_S = 3600

/** An original (`<id>-original.<ext>`) or a sidecar (`<id>.json`): the only objects the sweep ever touches. */
const IMAGE_OBJECT = /^([0-9a-f]{12})(?:-original\.[a-z0-9]{1,5}|\.json)$/

export interface OrphanSweepOptions {
  blobs: BlobStore
  images: ImageStore
  /** @default ORPHAN_GRACE_S */
  graceS?: number
  /** Epoch milliseconds. @default Date.now */
  now?: () => number
}

/**
 * Removes the originals and sidecars whose image row never committed (a crash, or a write abandoned at S3's
 * deadline that landed later), once they are older than the grace: an image is written before its row commits,
 * so a younger object may belong to a commit in flight on any replica (docs/decisions.md#orphan-objects). The row is
 * looked up again right before each removal. Removal is idempotent, so replicas sweeping at once do no harm.
 * Returns the names removed.
 */
export async function sweepOrphans(opts: OrphanSweepOptions): Promise<string[]> {
  const cutoff = (opts.now ?? Date.now)() - (opts.graceS ?? ORPHAN_GRACE_S) * 1000
  const byId = new Map<string, string[]>()
  for (const entry of await opts.blobs.entries("")) {
    const id = IMAGE_OBJECT.exec(entry.name)?.[1]
    if (!id || entry.modifiedMs > cutoff) continue
    byId.set(id, [...(byId.get(id) ?? []), entry.name])
  }
  const removed: string[] = []
  for (const [id, names] of byId) {
    if (await opts.images.get(id)) continue
    for (const name of names) {
      await opts.blobs.remove(name)
      removed.push(name)
    }
  }
  return removed
}
