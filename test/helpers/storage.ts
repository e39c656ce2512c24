import { openStorage, type Storage, type StorageOptions } from "@/storage"
import { testConfig } from "./services"

/** The storage a test config for `dir` opens (SQLite and files in `dir` unless `env` says otherwise). */
export async function openTestStorage(
  dir: string,
  env: Record<string, string> = {},
  options?: StorageOptions,
): Promise<Storage & AsyncDisposable> {
  const storage = await openStorage(testConfig(dir, env), options)
  return Object.assign(storage, { [Symbol.asyncDispose]: () => storage.close() })
}
