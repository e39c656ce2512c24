// ComfyUI's input, output and temp folders, in memory (server.py image_upload, upload_mask and view_image;
// folder_paths.annotated_filepath; nodes.py SaveImage with folder_paths.get_save_image_path, 0.3.64).
import { readPixels } from "@/core/transform/pixels"
import { rgbaPng } from "../../../fixture/images"

export type FolderType = "input" | "output" | "temp"

export class Folders {
  readonly input = new Map<string, Uint8Array>()
  readonly output = new Map<string, Uint8Array>()
  readonly temp = new Map<string, Uint8Array>()

  folder(type: string | null | undefined): Map<string, Uint8Array> | undefined {
    if (type === "input" || type === "output" || type === "temp") return this[type]
    return undefined
  }

  /** folder_paths.annotated_filepath: `name [output]` picks the folder; otherwise the input folder. */
  resolveAnnotated(name: string, fallback: FolderType = "input"): { folder: FolderType; path: string } {
    const match = /^(.*) \[(input|output|temp)\]$/.exec(name)
    return match ? { folder: match[2] as FolderType, path: match[1] as string } : { folder: fallback, path: name }
  }

  inputExists(name: string): boolean {
    const { folder, path } = this.resolveAnnotated(name)
    return this[folder].has(path)
  }

  /** Image files at the top of the input folder, sorted (LoadImage's list). */
  inputImages(): string[] {
    return [...this.input.keys()].filter((k) => !k.includes("/") && /\.(png|jpe?g|webp|gif|bmp)$/i.test(k)).sort()
  }

  /** SaveImage's `<prefix>_00001_.png`, the counter one past the highest used for that prefix. */
  save(type: "output" | "temp", prefix: string, png: Uint8Array) {
    const slash = prefix.lastIndexOf("/")
    const subfolder = slash === -1 ? "" : prefix.slice(0, slash)
    const base = prefix.slice(slash + 1)
    const folder = this[type]
    let counter = 1
    const pattern = new RegExp(`^${escapeRegExp(base)}_(\\d{5})_\\.png$`)
    for (const key of folder.keys()) {
      const name = subfolder ? key.slice(subfolder.length + 1) : key
      if (subfolder && !key.startsWith(`${subfolder}/`)) continue
      const n = Number(pattern.exec(name)?.[1] ?? 0)
      if (n >= counter) counter = n + 1
    }
    const filename = `${base}_${String(counter).padStart(5, "0")}_.png`
    folder.set(subfolder ? `${subfolder}/${filename}` : filename, png)
    return { filename, subfolder, type }
  }

  /** POST /upload/image and /upload/mask (multipart `image`, `type`, `subfolder`, `overwrite`, `original_ref`). */
  async upload(form: Awaited<ReturnType<Request["formData"]>>, mask: boolean): Promise<Response> {
    const image = form.get("image")
    if (!(image instanceof File) || !image.name) return new Response(null, { status: 400 })
    const type = (form.get("type") as string | null) ?? "input"
    const folder = this.folder(type) ?? this.input
    const subfolder = (form.get("subfolder") as string | null) ?? ""
    if (subfolder.split("/").includes("..") || image.name.includes("/")) return new Response(null, { status: 400 })
    const key = (name: string) => (subfolder ? `${subfolder}/${name}` : name)
    const bytes = new Uint8Array(await image.arrayBuffer())
    let filename = image.name
    const overwrite = ["true", "1"].includes((form.get("overwrite") as string | null) ?? "")
    let duplicate = false
    if (!overwrite) {
      const dot = image.name.lastIndexOf(".")
      const [stem, ext] = dot === -1 ? [image.name, ""] : [image.name.slice(0, dot), image.name.slice(dot)]
      for (let i = 1; folder.has(key(filename)); i++) {
        if (Buffer.from(folder.get(key(filename)) as Uint8Array).equals(Buffer.from(bytes))) {
          duplicate = true
          break
        }
        filename = `${stem} (${i})${ext}`
      }
    }
    if (!duplicate) {
      if (mask) {
        const ref = JSON.parse(String(form.get("original_ref"))) as {
          filename: string
          subfolder?: string
          type?: string
        }
        const { folder: refFolder, path } = this.resolveAnnotated(ref.filename, (ref.type ?? "output") as FolderType)
        if (path.startsWith("/") || path.includes("..")) return new Response(null, { status: 400 })
        const original = this[refFolder].get(ref.subfolder ? `${ref.subfolder}/${path}` : path)
        // The original's RGB with the mask's alpha; nothing is written when the original does not exist.
        if (original) folder.set(key(filename), await withAlpha(original, bytes))
      } else folder.set(key(filename), bytes)
    }
    return Response.json({ name: filename, subfolder, type })
  }

  /** GET /view?filename&subfolder&type. */
  view(query: URLSearchParams): Response {
    const name = query.get("filename")
    if (name === null) return new Response(null, { status: 404 })
    const { folder, path } = this.resolveAnnotated(name, (query.get("type") ?? "output") as FolderType)
    if (!path || path.startsWith("/") || path.includes("..")) return new Response(null, { status: 400 })
    const files = this.folder(folder)
    if (!files) return new Response(null, { status: 400 })
    const subfolder = query.get("subfolder")
    if (subfolder?.split("/").includes("..")) return new Response(null, { status: 403 })
    const file = path.split("/").at(-1) as string
    const bytes = files.get(subfolder ? `${subfolder}/${file}` : file)
    if (!bytes) return new Response(null, { status: 404 })
    return new Response(bytes, {
      headers: { "content-type": "image/png", "content-disposition": `filename="${file}"` },
    })
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** PIL putalpha: the original's pixels with the mask's alpha channel (sizes must match, as in ComfyUI). */
async function withAlpha(original: Uint8Array, mask: Uint8Array): Promise<Uint8Array> {
  const [base, alpha] = await Promise.all([readPixels(new Bun.Image(original)), readPixels(new Bun.Image(mask))])
  if (base.width !== alpha.width || base.height !== alpha.height) throw new Error("images do not match")
  const data = new Uint8Array(base.data)
  for (let i = 3; i < data.length; i += 4) data[i] = alpha.data[i] as number
  return rgbaPng({ width: base.width, height: base.height, data })
}
