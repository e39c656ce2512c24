import { openStorage, type Storage, type StorageOptions, type StorageSettings } from "@/storage"

/** One storage configuration the contract suite runs against. */
export interface DriverUnderTest {
  name: string
  /** Why it cannot run here (the suite is skipped with this message). */
  skip?: string
  /** Transfer tokens and OAuth state live in this process only (KV_STORE_URL=memory://): no second connection sees them. */
  privateKv?: boolean
  /** Starts what the driver needs (a server) before the suite. */
  setup?(): Promise<void>
  teardown?(): Promise<void>
  /** Settings naming an empty store of this driver; the same settings open it again from another connection. */
  fresh(): Promise<{ settings: StorageSettings } & AsyncDisposable>
}

export type OpenedStorage = Storage & AsyncDisposable

export async function open(settings: StorageSettings, options?: StorageOptions): Promise<OpenedStorage> {
  const storage = await openStorage(settings, options)
  return Object.assign(storage, { [Symbol.asyncDispose]: () => storage.close() })
}
