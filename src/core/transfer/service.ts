import type { TransferConfig } from "@/config/config"
import type { TransferKind, TransferStore } from "@/storage"
import type { ImageRegistry } from "../images/registry"
import type { ImportService } from "../intake/imports"
import { nowSeconds } from "../time"
import { type DownloadBody, downloadHandle, readDownload, type UploadResult, uploadHandle, writeUpload } from "./sinks"
import { hashToken, newToken, resolveTtl, TOKEN_PATTERN, tokenTag } from "./tokens"

export type { TransferKind } from "@/storage"

export interface TransferServiceOptions {
  store: TransferStore
  images: ImageRegistry
  imports: ImportService
  config: TransferConfig
  maxInputImageBytes: number
  /** Epoch seconds. @default nowSeconds */
  now?: () => number
}

export interface MintedLink {
  /** The capability itself: shown once, stored only as a hash. */
  token: string
  expiresInS: number
}

/** A claim in progress. Only its holder (same fence) can complete or release it. */
export interface TransferLease {
  tokenHash: string
  kind: TransferKind
  sinkHandle: string
  fence: number
  /** Safe to log. */
  tag: string
}

export type ClaimOutcome =
  | { outcome: "claimed"; lease: TransferLease }
  | { outcome: "conflict"; tag: string }
  | { outcome: "not_found"; tag: string }

/**
 * Capability links for moving gallery originals out and new images in. A link is `available` when minted, goes
 * `in_flight` under a lease while one request uses it, then `consumed` (its expiry shrunk to the grace window),
 * or back to `available` when the attempt fails. A lease that lapses (a crashed handler) may be claimed again.
 */
export class TransferService {
  /** Largest accepted upload: the transfer cap, but never more than any image input may be. */
  readonly uploadCap: number
  private readonly opts: TransferServiceOptions
  private readonly now: () => number

  constructor(opts: TransferServiceOptions) {
    this.opts = opts
    this.now = opts.now ?? nowSeconds
    this.uploadCap = Math.min(opts.config.maxUploadBytes, opts.maxInputImageBytes)
  }

  /** A one-shot link serving the original of `ref` (an image URI or id of an existing image). */
  async createDownloadLink(ref: string, ttlS?: number | null): Promise<MintedLink> {
    const ttl = resolveTtl(ttlS, this.opts.config)
    return this.mint("download", await downloadHandle(ref, this.opts.images), ttl)
  }

  /** A one-shot link accepting one image; `ref` is an optional file-name hint whose extension is checked. */
  async createUploadLink(ref: string, ttlS?: number | null): Promise<MintedLink> {
    const ttl = resolveTtl(ttlS, this.opts.config)
    return this.mint("upload", uploadHandle(ref), ttl)
  }

  /** Stores a new `available` link; `ttlS` is used as given (callers resolve it with `resolveTtl`). */
  async mint(kind: TransferKind, sinkHandle: string, ttlS: number): Promise<MintedLink> {
    const now = this.now()
    await this.sweep()
    const token = newToken()
    await this.opts.store.insert({
      tokenHash: hashToken(token),
      kind,
      sinkHandle,
      status: "available",
      expiresAt: now + ttlS,
      leaseExpiresAt: null,
      fence: 0,
      createdAt: now,
    })
    return { token, expiresInS: ttlS }
  }

  /** Takes the link for one request. Anything but a live link of this kind is `not_found`. */
  async claim(token: string, kind: TransferKind): Promise<ClaimOutcome> {
    if (!TOKEN_PATTERN.test(token)) return { outcome: "not_found", tag: "invalid" }
    const tokenHash = hashToken(token)
    const tag = tokenTag(tokenHash)
    const now = this.now()
    const result = await this.opts.store.claim(tokenHash, kind, now, now + this.opts.config.leaseS)
    if (result.outcome !== "claimed") return { outcome: result.outcome, tag }
    const { sinkHandle, fence } = result.record
    return { outcome: "claimed", lease: { tokenHash, kind, sinkHandle, fence, tag } }
  }

  /** Spends the link; it lingers (as not found) for at most the grace window. False if the lease was lost. */
  complete(lease: TransferLease): Promise<boolean> {
    return this.opts.store.complete(lease.tokenHash, lease.fence, this.now() + this.opts.config.graceTtlS)
  }

  /** Gives the link back after a failed attempt: it stays usable until it expires. */
  async release(lease: TransferLease): Promise<void> {
    await this.opts.store.release(lease.tokenHash, lease.fence)
  }

  /** Deletes expired links. */
  sweep(): Promise<number> {
    return this.opts.store.sweep(this.now())
  }

  /** The original a claimed download link serves. */
  read(lease: TransferLease): Promise<DownloadBody> {
    return readDownload(lease.sinkHandle, this.opts.images)
  }

  /** Registers the body of a claimed upload link as an imported image. */
  write(lease: TransferLease, bytes: Uint8Array): Promise<UploadResult> {
    return writeUpload(bytes, lease.sinkHandle, this.opts.imports)
  }
}
