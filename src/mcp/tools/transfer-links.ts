import { z } from "zod"
import { InvalidArgumentError } from "@/core/errors"
import type { MintedLink, TransferService } from "@/core/transfer/service"
import type { McpContext } from "../context"
import { structuredResult } from "../results"
import { defineTool } from "../tool"

const DOWNLOAD_DESCRIPTION = `Create a one-time HTTP link that downloads the original file of a gallery image (full resolution, exactly as stored, no transforms). Give the link to a user or a tool outside this conversation that needs the file itself; it works without MCP credentials, so treat it as a secret. The first successful download spends it; it also expires after ttl_s seconds.`

const UPLOAD_DESCRIPTION = `Create a one-time HTTP link that accepts one PNG, JPEG or WebP image (the raw file as a POST or PUT body) and adds it to the gallery as an imported image. Use it to bring in a file the user has locally, then work on it with transform_image or as a reference image. The upload's response names the new image_id and image:// URI. ref is an optional file-name hint; when it has an extension, it must be .png, .jpg, .jpeg or .webp. The link works without MCP credentials, so treat it as a secret; a successful upload spends it.`

/** The transfer tools exist only where their links can be reached: over HTTP with a public base URL. */
export function registerTransferLinkTools(ctx: McpContext, transfers: TransferService): void {
  const baseUrl = ctx.services.config.baseUrl
  if (ctx.transport !== "http" || !baseUrl) return
  const { ttlDefaultS, ttlMaxS } = ctx.services.config.transfer
  const ttlSchema = z
    .number()
    .nullable()
    .optional()
    .describe(`Seconds the link stays valid: must be positive; default ${ttlDefaultS}, at most ${ttlMaxS}.`)
  const result = (link: MintedLink) =>
    structuredResult({ url: `${baseUrl.replace(/\/+$/, "")}/transfer/${link.token}`, expires_in_s: link.expiresInS })

  defineTool(ctx, {
    name: "create_download_link",
    title: "Create Download Link",
    description: DOWNLOAD_DESCRIPTION,
    icon: "download",
    annotations: { title: "Create Download Link", readOnlyHint: true, destructiveHint: false, openWorldHint: false },
    inputSchema: {
      ref: z.string().optional().describe("The image: image://<id>/view (any image:// URI of it) or its 12-hex id."),
      uri: z.string().optional().describe("Older name for ref (1.10); pass one or the other."),
      ttl_s: ttlSchema,
      ttl_seconds: ttlSchema.describe("Older name for ttl_s (1.10); pass one or the other."),
    },
    handler: async (args) => {
      const ref = either("ref", args.ref, "uri", args.uri)
      if (ref === undefined)
        throw new InvalidArgumentError("ref is required: an image://<id> URI or a 12-hex image id.")
      const ttl = either("ttl_s", args.ttl_s ?? undefined, "ttl_seconds", args.ttl_seconds ?? undefined)
      return result(await transfers.createDownloadLink(ref, ttl))
    },
  })

  defineTool(ctx, {
    name: "create_upload_link",
    title: "Create Upload Link",
    description: UPLOAD_DESCRIPTION,
    write: true,
    icon: "upload",
    annotations: { title: "Create Upload Link", readOnlyHint: false, destructiveHint: false, openWorldHint: false },
    inputSchema: {
      ref: z.string().describe("A file-name hint such as photo.png; its extension, if any, is checked."),
      ttl_s: ttlSchema,
    },
    handler: async ({ ref, ttl_s }) => result(await transfers.createUploadLink(ref, ttl_s)),
  })
}

/** The value given under a current argument name or its 1.10 alias; both at once is an error. */
function either<T>(name: string, value: T | undefined, alias: string, aliasValue: T | undefined): T | undefined {
  if (value !== undefined && aliasValue !== undefined) {
    throw new InvalidArgumentError(`Pass ${name} or its older name ${alias}, not both.`)
  }
  return value ?? aliasValue
}
