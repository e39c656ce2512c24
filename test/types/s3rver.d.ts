// The part of s3rver 3's API the S3 harness uses (the package ships no types).
declare module "s3rver" {
  import type { Server } from "node:http"

  interface S3rverOptions {
    address?: string
    port?: number
    silent?: boolean
    directory: string
    configureBuckets?: { name: string }[]
  }

  export default class S3rver {
    constructor(options: S3rverOptions)
    httpServer?: Server
    run(): Promise<{ address: string; port: number }>
    close(): Promise<void>
  }
}

declare module "s3rver/lib/stores/filesystem" {
  import type { Readable } from "node:stream"

  interface StoredObject {
    bucket: string
    key: string
    content: Buffer | Readable
    metadata: Record<string, string>
  }

  export default class FilesystemStore {
    rootDirectory: string
    getObject(bucket: string, key: string, options?: { start?: number; end?: number }): Promise<StoredObject | null>
    getResourcePath(bucket: string, key: string, resource: string): string
    putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>
    putObject(object: StoredObject): Promise<{ size: number; md5: string }>
  }
}
