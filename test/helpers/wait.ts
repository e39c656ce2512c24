// Tests wait for the state they need, never for a fixed time: on a slow or busy machine they get slower, not red.

/** How long a test waits for one state before it fails: far above what a quiet machine needs. */
export const STATE_DEADLINE_MS = 30_000

/** The default limit for one whole test (set in test/preload.ts): room for several waits on a busy machine. */
export const TEST_TIMEOUT_MS = 120_000

/** Polls `check` until it holds; throws naming `what` once `ms` have passed. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = STATE_DEADLINE_MS,
): Promise<void> {
  await waitForValue(async () => ((await check()) ? true : undefined), what, ms)
}

/** Polls `read` until it returns something other than undefined, and returns that. */
export async function waitForValue<T>(
  read: () => T | undefined | Promise<T | undefined>,
  what: string,
  ms = STATE_DEADLINE_MS,
): Promise<T> {
  const deadline = performance.now() + ms
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    const value = await read()
    if (value !== undefined) return value
    if (performance.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`)
    await Bun.sleep(pause)
  }
}
