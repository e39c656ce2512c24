/**
 * Work that outlives the generation that started it (stopping a cancelled job on a local server, which must not
 * hold up the cancel), ended on dispose. A failure is handed to `onError`, never thrown.
 */
export class BackgroundWork {
  private readonly running = new Set<{ controller: AbortController; done: Promise<void> }>()

  private readonly onError: (error: unknown) => void

  constructor(onError: (error: unknown) => void) {
    this.onError = onError
  }

  start(work: (signal: AbortSignal) => Promise<unknown>): void {
    const controller = new AbortController()
    const entry = { controller, done: Promise.resolve() }
    entry.done = work(controller.signal)
      .then(() => {})
      .catch((error: unknown) => this.onError(error))
      .finally(() => this.running.delete(entry))
    this.running.add(entry)
  }

  /** Resolves once every piece of work has ended, including work started while waiting. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running].map((e) => e.done))
  }

  /** Aborts every piece of work and waits for it to end. */
  async dispose(): Promise<void> {
    for (const { controller } of this.running) controller.abort()
    await this.idle()
  }
}
