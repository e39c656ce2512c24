import { resolve } from "node:path"
import type { Config } from "@/config/config"
import { importScratchDir } from "@/core/images/scratch-import"
import { createSqliteStore } from "@/storage/sqlite-store"
import { createLogger } from "@/util/log"

/** `image-generation-mcp import <dir>`: adds a scratch dir's images to the gallery. */
export async function runImport(config: Config, dir: string): Promise<number> {
  const log = createLogger("import")
  const store = createSqliteStore(config.dbPath)
  try {
    const result = await importScratchDir({
      source: resolve(dir),
      scratchDir: config.scratchDir,
      store: store.images,
      warn: (m) => log.warning(m),
    })
    console.log(`Imported ${result.imported} image(s) from ${resolve(dir)}; skipped ${result.skipped.length}.`)
    return 0
  } finally {
    store.close()
  }
}
