import { AppError } from "../errors"

/** Progress of a running job; its end is told by the group's `done` promise (a waiter then reads the store). */
export type JobEvent = { kind: "progress"; fraction: number; message: string }

/** In-process listeners keyed by job id: `on` returns the unsubscribe, `emit` reaches that id's listeners. */
export class KeyedEvents<E> {
  private readonly listeners = new Map<string, Set<(event: E) => void>>()

  on(id: string, listener: (event: E) => void): () => void {
    let set = this.listeners.get(id)
    if (!set) {
      set = new Set()
      this.listeners.set(id, set)
    }
    set.add(listener)
    return () => {
      set.delete(listener)
      if (set.size === 0) this.listeners.delete(id)
    }
  }

  emit(id: string, event: E): void {
    for (const listener of this.listeners.get(id) ?? []) listener(event)
  }
}

/** In-process notifications about running jobs, for callers that wait on one (progress tokens). */
export class JobEvents extends KeyedEvents<JobEvent> {}

/** The abort reason of a job stopped by `cancel_generation`. */
export class JobCancelledError extends AppError {
  override name = "JobCancelledError"
  constructor(message: string) {
    super("conflict", "job_cancelled", message, { tag: null })
  }
}
