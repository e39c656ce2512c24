import { stat } from "node:fs/promises"
import { resolve } from "node:path"
import type { Config } from "@/config/config"
import { importScratchDir } from "@/core/images/scratch-import"
import { createSqliteStore } from "@/storage/sqlite-store"
import { createLogger } from "@/util/log"

/** `image-generation-mcp import <dir>`: adds a scratch dir's images to the gallery. */
export async function runImport(config: Config, dir: string): Promise<number> {
  const log = createLogger("import")
  const source = resolve(dir)
  if (!(await stat(source).catch(() => undefined))?.isDirectory()) {
    console.error(`image-generation-mcp: ${source} is not a directory`)
    return 1
  }
  const store = createSqliteStore(config.dbPath)
  try {
    const result = await importScratchDir({
      source,
      scratchDir: config.scratchDir,
      store: store.images,
      warn: (m) => log.warning(m),
    })
    console.log(`Imported ${result.imported} image(s) from ${source}; skipped ${result.skipped.length}.`)
    return 0
  } finally {
    store.close()
  }
}
