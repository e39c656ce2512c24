import { ENV_PREFIX } from "@/config/env"
import { redact } from "@/util/redact"
import { openBlobStore, redactUrl } from "./drivers"
import type { StorageSettings } from "./index"
import { inspectPostgres } from "./postgres/inspect"
import { inspectSqlite } from "./sqlite/inspect"

/** One line of `doctor`: what was checked and what to do when it failed. */
export interface StorageFinding {
  ok: boolean
  label: string
  detail: string
  fix?: string
}

/**
 * `doctor`'s storage checks: the database (read without migrating or creating anything) and, when the images
 * live in a bucket, a probe object written, read back and removed there.
 */
export async function checkStorage(settings: StorageSettings): Promise<StorageFinding[]> {
  const findings = [await checkDatabase(settings)]
  if (settings.blobStoreUrl !== undefined) findings.push(await checkBucket(settings))
  return findings
}

async function checkDatabase(settings: StorageSettings): Promise<StorageFinding> {
  return settings.databaseUrl === undefined ? inspectSqlite(settings.dbPath) : inspectPostgres(settings.databaseUrl)
}

/** The bucket, named with its driver (`S3 s3://bucket/prefix at host`), probed with an object written and removed. */
async function checkBucket(settings: StorageSettings): Promise<StorageFinding> {
  const label = "image store"
  const name = `doctor-probe-${crypto.randomUUID()}.tmp`
  let where = `S3 ${redactUrl(settings.blobStoreUrl ?? "")}`
  try {
    const blobs = await openBlobStore(settings)
    if ("where" in blobs && typeof blobs.where === "string") where = `S3 ${blobs.where}`
    await blobs.write(name, "ok")
    const back = new TextDecoder().decode(await blobs.read(name))
    await blobs.remove(name)
    if (back !== "ok") throw new Error("a probe object read back different bytes")
    return { ok: true, label, detail: `${where} (written, read and removed a probe object)` }
  } catch (error) {
    return {
      ok: false,
      label,
      detail: redact(`${where}: ${(error as Error).message}`),
      fix: `Check ${ENV_PREFIX}BLOB_STORE_URL and the bucket's credentials, or unset it to keep images in the scratch dir.`,
    }
  }
}
