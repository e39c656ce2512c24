import type { Handler } from "hono"
import type { Services } from "@/core/services"
import { createLogger } from "@/util/log"
import { VERSION } from "@/version"

const log = createLogger("http")

/** 200 while the store answers, 503 otherwise. */
export function healthz(services: Services): Handler {
  return async (c) => {
    try {
      await services.store.ping()
      return c.json({ status: "ok", version: VERSION })
    } catch (error) {
      log.warning("Health check failed: the store did not answer", { error })
      return c.json({ status: "unavailable", version: VERSION, error: "store unavailable" }, 503)
    }
  }
}
