// The Debian Chromium the browser tests drive (`npx playwright install` cannot download browsers here).
import { existsSync } from "node:fs"
import { type Browser, chromium } from "playwright-core"

export const CHROMIUM_PATH = "/usr/bin/chromium"

/** The path when Chromium is installed, else undefined (the browser suites are then skipped with a message). */
export const chromiumPath: string | undefined = existsSync(CHROMIUM_PATH) ? CHROMIUM_PATH : undefined

/** Starts headless Chromium without its sandbox (tests run as root) or background traffic. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    chromiumSandbox: false,
    args: [
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
  })
}
