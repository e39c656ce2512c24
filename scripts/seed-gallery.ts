// Seeds a gallery with N images (bytes, sidecars and rows), as the benchmarks need. Usage: bun scripts/seed-gallery.ts <dir> [N]
import { join, resolve } from "node:path"
import { loadConfig } from "@/config/config"
import { randomImageId } from "@/core/images/ids"
import { ImageRegistry } from "@/core/images/registry"
import { solidPng } from "@/providers/solid-png"
import { type ImageRecord, openStorage } from "@/storage"

/** Environment for a server whose state lives in `dir`, or whose rows live in PostgreSQL at `databaseUrl`. */
export function galleryEnv(dir: string, databaseUrl?: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    IMAGE_GENERATION_MCP_SCRATCH_DIR: join(dir, "images"),
    IMAGE_GENERATION_MCP_DB_PATH: join(dir, "state.sqlite"),
    ...(databaseUrl ? { IMAGE_GENERATION_MCP_DATABASE_URL: databaseUrl } : {}),
  }
}

export async function seedGallery(dir: string, count: number, databaseUrl?: string): Promise<void> {
  const { config } = loadConfig(galleryEnv(dir, databaseUrl), dir)
  const storage = await openStorage(config)
  const { store } = storage
  await store.meta.set(`scratch_import:${resolve(config.scratchDir)}`, "done")
  const registry = new ImageRegistry({
    store: store.images,
    blobs: storage.blobs,
    maxInputPixels: config.maxInputPixels,
  })
  let batch: ImageRecord[] = []
  for (let i = 0; i < count; i++) {
    const bytes = solidPng(16 + (i % 16), 16, [i % 256, (i >> 8) % 256, 128])
    batch.push(
      await registry.prepare({
        id: randomImageId(),
        bytes,
        contentType: "image/png",
        prompt: `seeded image ${i}: a lighthouse on a cliff at dusk, oil painting, warm light`,
        provider: "placeholder",
        aspectRatio: "1:1",
        quality: "standard",
        background: "opaque",
        providerMetadata: { quality: "placeholder", size: "16x16" },
      }),
    )
    if (batch.length === 1000) {
      await store.images.insertMany(batch)
      batch = []
    }
  }
  if (batch.length) await store.images.insertMany(batch)
  await storage.close()
}

if (import.meta.main) {
  const [dir, count = "10000"] = process.argv.slice(2)
  if (!dir) throw new Error("usage: bun scripts/seed-gallery.ts <dir> [count]")
  await seedGallery(dir, Number(count))
  console.log(`seeded ${count} images into ${dir}`)
}
