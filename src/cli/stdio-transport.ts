import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js"

/** stdio transport that knows how many requests are still unanswered, so shutdown on stdin EOF can wait for them. */
export class DrainableStdioTransport extends StdioServerTransport {
  private readonly open = new Set<string | number>()
  private waiters: (() => void)[] = []

  override async start(): Promise<void> {
    await super.start()
    const deliver = this.onmessage
    this.onmessage = (message: JSONRPCMessage) => {
      if ("method" in message && "id" in message) this.open.add(message.id)
      deliver?.(message)
    }
  }

  override async send(message: JSONRPCMessage): Promise<void> {
    await super.send(message)
    if (!("method" in message) && "id" in message && message.id !== undefined) {
      this.open.delete(message.id)
      if (this.open.size === 0) for (const wake of this.waiters.splice(0)) wake()
    }
  }

  /** Resolves when every request received so far has been answered. */
  drained(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push(resolve))
  }
}
