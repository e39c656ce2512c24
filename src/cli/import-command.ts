import { stat } from "node:fs/promises"
import { resolve } from "node:path"
import type { Config } from "@/config/config"
import { importScratchDir } from "@/core/images/scratch-import"
import { openStorage } from "@/storage"
import { createLogger } from "@/util/log"
import { stopCause, stoppedExitCode, stopSignal } from "./stop"

/**
 * `image-generation-mcp import <dir>`: adds a scratch dir's images to the gallery. A stop request ends it between
 * two images (what was copied is stored) with 128 + the signal number: running it again finishes the import.
 */
export async function runImport(config: Config, dir: string, stop: AbortSignal = stopSignal): Promise<number> {
  const log = createLogger("import")
  const source = resolve(dir)
  if (!(await stat(source).catch(() => undefined))?.isDirectory()) {
    console.error(`image-generation-mcp: ${source} is not a directory`)
    return 1
  }
  const storage = await openStorage(config)
  try {
    const result = await importScratchDir({
      source,
      scratchDir: config.scratchDir,
      ...(storage.drivers.blobs !== "files" && { blobs: storage.blobs }),
      store: storage.store.images,
      warn: (m) => log.warning(m),
      signal: stop,
    })
    const summary = `${result.imported} image(s) from ${source}; skipped ${result.skipped.length}.`
    if (result.stopped) {
      console.log(`Stopped (${stopCause(stop)}) after importing ${summary} Run the import again to finish.`)
      return stoppedExitCode(stop)
    }
    console.log(`Imported ${summary}`)
    return 0
  } finally {
    await storage.close()
  }
}
