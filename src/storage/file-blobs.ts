import { mkdir, open, readdir, rename, rm, stat, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { BlobStore } from "./types"

/** Blob store on a local directory (the scratch dir). Writes go to a temp file, then rename. */
export function createFileBlobStore(dir: string): BlobStore {
  let ready: Promise<unknown> | undefined
  const ensureDir = () => {
    ready ??= mkdir(dir, { recursive: true }).catch((error) => {
      ready = undefined
      throw error
    })
    return ready
  }
  const path = (name: string) => {
    if (name.includes("/") || name.includes("\\") || name.startsWith("."))
      throw new Error(`Invalid blob name '${name}'`)
    return join(dir, name)
  }

  return {
    async write(name, bytes) {
      const target = path(name)
      await ensureDir()
      const temp = join(dir, `.${name}.${crypto.randomUUID().slice(0, 8)}.tmp`)
      try {
        await writeFile(temp, bytes)
        await rename(temp, target)
      } catch (error) {
        await rm(temp, { force: true })
        throw error
      }
    },
    async read(name, into) {
      if (!into) return Bun.file(path(name)).bytes()
      const file = await open(path(name), "r")
      try {
        const { size } = await file.stat()
        const buffer = into(size)
        let filled = 0
        while (filled < size) {
          const { bytesRead } = await file.read(buffer, filled, size - filled, filled)
          if (bytesRead === 0) break
          filled += bytesRead
        }
        return buffer.subarray(0, filled)
      } finally {
        await file.close()
      }
    },
    readText: (name) => Bun.file(path(name)).text(),
    async stream(name) {
      const target = path(name)
      const info = await stat(target)
      if (!info.isFile()) throw new Error(`'${name}' is not a file`)
      return { size: info.size, body: Bun.file(target).stream() }
    },
    async exists(name) {
      return stat(path(name)).then(
        (s) => s.isFile(),
        () => false,
      )
    },
    async remove(name) {
      await rm(path(name), { force: true })
    },
    async list(suffix) {
      const names = await readdir(dir).catch(() => [] as string[])
      return names.filter((n) => n.endsWith(suffix) && !n.startsWith(".")).sort()
    },
    async entries(suffix) {
      const names = (await readdir(dir).catch(() => [] as string[])).filter(
        (n) => n.endsWith(suffix) && !n.startsWith("."),
      )
      const found = await Promise.all(
        names.map(async (name) => {
          const info = await stat(join(dir, name)).catch(() => undefined)
          return info?.isFile() ? { name, modifiedMs: info.mtimeMs } : undefined
        }),
      )
      return found.filter((entry) => entry !== undefined).sort((a, b) => (a.name < b.name ? -1 : 1))
    },
  }
}
