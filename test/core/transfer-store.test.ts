import { expect, test } from "bun:test"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { openTransferStore } from "@/core/transfer/store"
import type { TransferRecord } from "@/storage/types"
import { startServices } from "../helpers/services"

const record = (tokenHash: string): TransferRecord => ({
  tokenHash,
  kind: "upload",
  sinkHandle: "upload",
  status: "available",
  expiresAt: 2e9,
  leaseExpiresAt: null,
  fence: 0,
  createdAt: 1e9,
})

test("KV_STORE_URL unset: the main database holds the tokens", async () => {
  await using env = await startServices()
  const opened = openTransferStore(env.config, env.services.store)
  expect(opened.store).toBe(env.services.store.transfers)
  expect(opened.where).toBe("main database")
  opened.close()
  await opened.store.insert(record("a"))
  expect(await env.services.store.transfers.get("a")).toMatchObject({ status: "available" })
})

test("KV_STORE_URL=memory:// and file:/// open a store of their own", async () => {
  await using env = await startServices()
  const memory = openTransferStore({ kvStoreUrl: "memory://" }, env.services.store)
  expect(memory.where).toBe("memory")
  await memory.store.insert(record("m"))
  expect((await memory.store.claim("m", "upload", 1e9, 1e9 + 60)).outcome).toBe("claimed")
  expect(await env.services.store.transfers.get("m")).toBeUndefined()
  memory.close()

  const dir = openTransferStore({ kvStoreUrl: pathToFileURL(env.dir.path).href }, env.services.store)
  expect(dir.where).toBe(join(env.dir.path, "transfer-tokens.sqlite"))
  await dir.store.insert(record("d"))
  dir.close()
  expect(existsSync(join(env.dir.path, "transfer-tokens.sqlite"))).toBe(true)

  const file = join(env.dir.path, "kv.sqlite")
  const named = openTransferStore({ kvStoreUrl: pathToFileURL(file).href }, env.services.store)
  expect(named.where).toBe(file)
  named.close()
  expect(existsSync(file)).toBe(true)
})
