import { AppError } from "@/util/app-error"
import { type S3Location, s3Location } from "./s3-config"
import { type S3Where, s3Failure } from "./s3-errors"
import type { BlobEntry, BlobStore } from "./types"

/** A blob store on S3: the `BlobStore` contract, plus a reachability check. */
export interface S3BlobStore extends BlobStore {
  /** Resolves when the bucket answers a listing; rejects with an `unavailable` AppError saying why not. */
  ping(): Promise<void>
  /** `s3://bucket/prefix at host`, for logs and `doctor` (no credentials). */
  readonly where: string
}

export interface S3BlobStoreOptions {
  /** How long one call may wait for S3 before it fails as unavailable. @default 30 s */
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 30_000

/**
 * Opens the blob store at `s3://bucket[/prefix]` with Bun's S3 client, configured from `env` (see `s3Location`).
 * Nothing is sent until the first call. Object keys are `<prefix>/<name>`; a PutObject is atomic, so readers see
 * an old object or the new one, never a part. Failures are AppErrors: a missing object is `not_found`, S3 down,
 * refusing or slow is `unavailable` (docs/decisions.md#s3-blob-store).
 */
export function openS3BlobStore(
  url: string,
  env: Record<string, string | undefined>,
  options: S3BlobStoreOptions = {},
): S3BlobStore {
  const location = s3Location(url, env)
  const client = new Bun.S3Client({
    bucket: location.bucket,
    region: location.region,
    endpoint: location.endpoint,
    accessKeyId: location.accessKeyId,
    secretAccessKey: location.secretAccessKey,
    sessionToken: location.sessionToken,
  })
  const where: S3Where = { bucket: location.bucket, host: endpointHost(location) }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const keyPrefix = location.prefix ? `${location.prefix}/` : ""
  const key = (name: string) => `${keyPrefix}${checkedName(name)}`
  /** Runs one S3 call under the deadline; every failure comes out as an AppError. */
  const call = async <T>(name: string | undefined, op: () => Promise<T>): Promise<T> => {
    let timer: Timer | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timeout(where, timeoutMs)), timeoutMs)
    })
    try {
      return await Promise.race([op(), late])
    } catch (error) {
      throw s3Failure(error, where, name)
    } finally {
      clearTimeout(timer)
    }
  }

  /** Every object directly under the prefix whose name ends in `suffix`, page by page, sorted by name. */
  const listEntries = async (suffix: string): Promise<BlobEntry[]> => {
    const found: BlobEntry[] = []
    let continuationToken: string | undefined
    do {
      const page = await call(undefined, () =>
        client.list({ prefix: keyPrefix, delimiter: "/", continuationToken, maxKeys: 1000 }),
      )
      for (const object of page.contents ?? []) {
        const name = object.key.slice(keyPrefix.length)
        if (!name.endsWith(suffix) || name.startsWith(".")) continue
        const modified = object.lastModified ? Date.parse(object.lastModified) : Number.NaN
        // An object S3 gives no date for counts as new: the sweep then leaves it alone.
        found.push({ name, modifiedMs: Number.isFinite(modified) ? modified : Date.now() })
      }
      continuationToken = page.isTruncated ? page.nextContinuationToken : undefined
    } while (continuationToken)
    return found.sort((a, b) => (a.name < b.name ? -1 : 1))
  }

  return {
    where: `s3://${location.bucket}/${location.prefix} at ${where.host}`,
    async write(name, bytes) {
      const target = key(name)
      await call(name, () => client.write(target, bytes))
    },
    read: (name) => call(name, () => client.file(key(name)).bytes()),
    readText: (name) => call(name, () => client.file(key(name)).text()),
    exists: (name) => call(name, () => client.exists(key(name))),
    async remove(name) {
      const target = key(name)
      await call(name, () => client.delete(target))
    },
    async list(suffix) {
      return (await listEntries(suffix)).map((entry) => entry.name)
    },
    entries: (suffix) => listEntries(suffix),
    async stream(name) {
      // The stat fails (not_found, unavailable) before anything is sent; the object is read as it is consumed.
      const file = client.file(key(name))
      const { size } = await call(name, () => file.stat())
      return { size, body: file.stream() }
    },
    async ping() {
      await call(undefined, () => client.list({ prefix: keyPrefix, maxKeys: 1 }))
    },
  }
}

/** The same names the file store accepts: flat, not hidden. */
function checkedName(name: string): string {
  if (!name || name.includes("/") || name.includes("\\") || name.startsWith(".")) {
    throw new AppError("invalid_input", "blob_name", `Invalid blob name '${name}'`, { tag: "storage" })
  }
  return name
}

function endpointHost(location: S3Location): string {
  return location.endpoint ? new URL(location.endpoint).host : `AWS (${location.region})`
}

function timeout(where: S3Where, ms: number): AppError {
  const detail = `S3 at ${where.host} did not answer within ${Math.round(ms / 1000)} s; the image store is unavailable until it does.`
  return new AppError("unavailable", "s3_timeout", detail, { tag: "storage" })
}
