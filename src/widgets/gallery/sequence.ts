/**
 * Numbers the gallery's page loads so that only the newest one may render: a response whose ticket is no longer
 * current arrived after a newer request started (or after the host pushed a new result) and is dropped.
 */
export class RequestSequence {
  private current = 0

  /** Starts a new request (or invalidates every request in flight) and returns its ticket. */
  next(): number {
    this.current += 1
    return this.current
  }

  isCurrent(ticket: number): boolean {
    return ticket === this.current
  }
}
