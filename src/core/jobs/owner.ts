import { hostname } from "node:os"

/** One running server among those sharing a database; its jobs carry its id and the lease it keeps renewing. */
export interface ReplicaIdentity {
  id: string
}

/** A new identity for this process: readable in the database (host and pid), unique even where pids repeat. */
export function newReplicaIdentity(): ReplicaIdentity {
  return { id: `${hostname()}/${process.pid}/${crypto.randomUUID().slice(0, 8)}` }
}
