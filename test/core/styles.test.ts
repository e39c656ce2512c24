import { describe, expect, test } from "bun:test"
import { mkdir, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { StyleLibrary } from "@/core/styles/library"
import { tmpdir } from "../fixture/tmpdir"

async function library() {
  const tmp = await tmpdir()
  const dir = join(tmp.path, "styles")
  const warnings: string[] = []
  const styles = new StyleLibrary({ dir, log: { warning: (m) => warnings.push(m) } })
  const put = async (file: string, text: string | Uint8Array) => {
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, file), text)
  }
  const files = async () => (await readdir(dir)).sort()
  return { tmp, dir, styles, warnings, put, files, [Symbol.asyncDispose]: () => tmp[Symbol.asyncDispose]() }
}

const styleFile = (name: string, body = `${name} body`, extra = "") => `---\nname: ${name}\n${extra}---\n\n${body}\n`

describe("reading the library", () => {
  test("the directory is created on first use and starts empty", async () => {
    await using lib = await library()
    expect(await lib.styles.list()).toEqual([])
    expect(await lib.files()).toEqual([])
  })

  test("styles are sorted by name; other files, folders and broken files are left out with one warning each", async () => {
    await using lib = await library()
    await lib.put("b.md", styleFile("zeta"))
    await lib.put("a.md", styleFile("alpha", "First line\nsecond", 'tags: [x, "y, z"]\nprovider: openai\n'))
    await lib.put("notes.txt", styleFile("ignored"))
    await lib.put("README.MD", styleFile("upper-case-extension"))
    await lib.put("plain.md", "no front-matter here\n")
    await lib.put("nameless.md", "---\ntags: [a]\n---\nbody\n")
    await lib.put("binary.md", new Uint8Array([0x2d, 0x2d, 0x2d, 0x0a, 0xff, 0xfe, 0x0a]))
    await mkdir(join(lib.dir, "folder.md"))
    const list = await lib.styles.list()
    expect(list.map((s) => s.name)).toEqual(["alpha", "zeta"])
    expect(list[0]).toMatchObject({ tags: ["x", "y, z"], provider: "openai", body: "First line\nsecond" })
    expect(list[0]?.file).toBe(join(lib.dir, "a.md"))
    expect(lib.warnings.sort()).toEqual([
      "Skipping style file binary.md: it is not valid UTF-8 text",
      "Skipping style file nameless.md: its front-matter has no name",
      "Skipping style file plain.md: it does not start with a --- front-matter block",
    ])
    await lib.styles.list()
    expect(lib.warnings).toHaveLength(3)
    expect(await lib.styles.names()).toEqual(["alpha", "zeta"])
  })

  test("the front-matter name is the identity; a duplicate name in a later file wins, with a warning", async () => {
    await using lib = await library()
    await lib.put("1-old.md", styleFile("brand", "old"))
    await lib.put("2-new.md", styleFile("brand", "new"))
    await lib.put("3-other.md", styleFile("renamed"))
    expect((await lib.styles.get("brand"))?.body).toBe("new")
    expect(await lib.styles.get("3-other")).toBeUndefined()
    expect((await lib.styles.get("renamed"))?.file).toBe(join(lib.dir, "3-other.md"))
    expect(lib.warnings).toEqual(["Style 'brand' is defined in 1-old.md and 2-new.md; 2-new.md wins"])
  })

  test("a byte-order mark is tolerated", async () => {
    await using lib = await library()
    await lib.put("bom.md", `\ufeff${styleFile("bom")}`)
    expect((await lib.styles.get("bom"))?.body).toBe("bom body")
  })

  test("files added, edited and removed by hand are seen without a restart", async () => {
    await using lib = await library()
    expect(await lib.styles.names()).toEqual([])
    await lib.put("hand.md", styleFile("hand", "v1"))
    expect((await lib.styles.get("hand"))?.body).toBe("v1")
    await lib.put("hand.md", styleFile("hand", "v2", "quality: hd\n"))
    expect(await lib.styles.get("hand")).toMatchObject({ body: "v2", quality: "hd" })
    await lib.put("hand.md", styleFile("hand", "v3"))
    expect(await lib.styles.get("hand")).toMatchObject({ body: "v3", quality: null })
    expect(await lib.styles.readRaw("hand")).toBe(styleFile("hand", "v3"))
    await rm(join(lib.dir, "hand.md"))
    expect(await lib.styles.get("hand")).toBeUndefined()
    await expect(lib.styles.readRaw("hand")).rejects.toThrow(
      "[server] Style not found: 'hand'. Use style://list to see available styles.",
    )
  })
})

describe("saving", () => {
  test("creates <name>.md with the exact text, then overwrites it (created false)", async () => {
    await using lib = await library()
    const input = {
      name: "Neon_city-2",
      body: "Rain-soaked streets.\nMagenta and cyan.",
      tags: ["night", "city, wet"],
      provider: "sd_webui",
      aspectRatio: "16:9",
      quality: "hd",
    }
    expect(await lib.styles.save(input)).toEqual({ name: "Neon_city-2", created: true })
    expect(await readFile(join(lib.dir, "Neon_city-2.md"), "utf8")).toBe(
      [
        "---",
        "name: Neon_city-2",
        'tags: ["night", "city, wet"]',
        "provider: sd_webui",
        'aspect_ratio: "16:9"',
        "quality: hd",
        "---",
        "",
        "Rain-soaked streets.\nMagenta and cyan.",
        "",
      ].join("\n"),
    )
    expect(await lib.styles.get("Neon_city-2")).toMatchObject({ tags: ["night", "city, wet"], aspectRatio: "16:9" })
    expect(await lib.styles.save({ name: "Neon_city-2", body: "  Just fog.  ", tags: [], provider: null })).toEqual({
      name: "Neon_city-2",
      created: false,
    })
    expect(await readFile(join(lib.dir, "Neon_city-2.md"), "utf8")).toBe(
      "---\nname: Neon_city-2\n---\n\n  Just fog.  \n",
    )
    expect(await lib.styles.get("Neon_city-2")).toMatchObject({ body: "Just fog.", tags: [], aspectRatio: null })
    expect(await lib.files()).toEqual(["Neon_city-2.md"])
  })

  test("an existing style is rewritten in the file that holds it, not duplicated", async () => {
    await using lib = await library()
    await lib.put("legacy-file.md", styleFile("brand", "old"))
    expect(await lib.styles.save({ name: "brand", body: "new" })).toEqual({ name: "brand", created: false })
    expect(await lib.files()).toEqual(["legacy-file.md"])
    expect((await lib.styles.get("brand"))?.body).toBe("new")
  })

  test("a <name>.md that holds another style or no valid style is never overwritten", async () => {
    await using lib = await library()
    await lib.put("logo.md", styleFile("other"))
    await lib.put("draft.md", "half-written, no front-matter")
    await expect(lib.styles.save({ name: "logo", body: "x" })).rejects.toThrow(
      "[server] Cannot save style 'logo': logo.md already exists and holds style 'other'.",
    )
    await expect(lib.styles.save({ name: "draft", body: "x" })).rejects.toThrow(
      "draft.md already exists and holds no valid style",
    )
    expect(await readFile(join(lib.dir, "logo.md"), "utf8")).toBe(styleFile("other"))
    expect(await readFile(join(lib.dir, "draft.md"), "utf8")).toBe("half-written, no front-matter")
  })

  test("a failed write leaves no temp file and changes nothing", async () => {
    await using lib = await library()
    await mkdir(join(lib.dir, "blocked.md"), { recursive: true })
    await expect(lib.styles.save({ name: "blocked", body: "x" })).rejects.toThrow(
      "[server] Could not save style 'blocked'",
    )
    expect(await lib.files()).toEqual(["blocked.md"])
    expect(await readdir(join(lib.dir, "blocked.md"))).toEqual([])
  })

  test("concurrent saves all land, each in its own file", async () => {
    await using lib = await library()
    const names = Array.from({ length: 8 }, (_, i) => `s${i}`)
    await Promise.all(names.map((name) => lib.styles.save({ name, body: name })))
    expect(await lib.styles.names()).toEqual(names)
    expect(await lib.files()).toEqual(names.map((n) => `${n}.md`))
  })

  test("values that would break the front-matter are refused", async () => {
    await using lib = await library()
    await expect(lib.styles.save({ name: "a", body: "", provider: "openai\nname: b" })).rejects.toThrow(
      "provider must be a single line of text.",
    )
    await expect(lib.styles.save({ name: "a", body: "", tags: ['say "hi"'] })).rejects.toThrow(
      'tags cannot contain a double quote (").',
    )
    await expect(lib.styles.save({ name: "a", body: "", aspectRatio: '16:9"' })).rejects.toThrow("aspect_ratio")
    expect(await readdir(lib.tmp.path)).toEqual([])
  })
})

describe("names never leave the styles directory", () => {
  const hostile = ["../x", "../../etc/passwd", "/abs", "/tmp/x", "a/b", "a\\b", "a\0b", "..", ".hidden", "x.md"]
  const lookalikes = ["ｆｏｏ", "fоо", "café", "a\u200bb", "abc\n", " abc", "-lead", "_lead", ""]

  test.each([...hostile, ...lookalikes])("save refuses %j and writes nothing", async (name) => {
    await using lib = await library()
    await expect(lib.styles.save({ name, body: "pwned" })).rejects.toThrow(
      `Invalid style name: '${name}'. Use only alphanumeric characters, hyphens, and underscores. Must start with an alphanumeric character.`,
    )
    expect(await readdir(lib.tmp.path)).toEqual([])
  })

  test("lookups by a hostile name find nothing and touch nothing", async () => {
    await using lib = await library()
    await writeFile(join(lib.tmp.path, "x.md"), styleFile("x"))
    await lib.put("inside.md", styleFile("inside"))
    for (const name of ["../x", "../x.md", "/abs", "a\0b"]) {
      expect(await lib.styles.get(name)).toBeUndefined()
      await expect(lib.styles.readRaw(name)).rejects.toThrow("Style not found")
      await expect(lib.styles.delete(name)).rejects.toThrow("Style not found")
    }
    expect((await readdir(lib.tmp.path)).sort()).toEqual(["styles", "x.md"])
    expect(await lib.files()).toEqual(["inside.md"])
  })

  test("a symlinked style file is replaced by a save, never written through", async () => {
    await using lib = await library()
    const outside = join(lib.tmp.path, "outside.md")
    await writeFile(outside, styleFile("linked"))
    await mkdir(lib.dir)
    await symlink(outside, join(lib.dir, "linked.md"))
    expect((await lib.styles.get("linked"))?.body).toBe("linked body")
    await lib.styles.save({ name: "linked", body: "changed" })
    expect(await readFile(outside, "utf8")).toBe(styleFile("linked"))
    expect((await lib.styles.get("linked"))?.body).toBe("changed")
  })
})

describe("deleting", () => {
  test("removes the file; an unknown name is an error", async () => {
    await using lib = await library()
    await lib.styles.save({ name: "gone", body: "x" })
    await lib.styles.delete("gone")
    expect(await lib.files()).toEqual([])
    await expect(lib.styles.delete("gone")).rejects.toThrow(
      "[server] Style not found: 'gone'. Use style://list to see available styles.",
    )
  })

  test("removes every file defining the name, so a shadowed duplicate does not come back", async () => {
    await using lib = await library()
    await lib.put("a.md", styleFile("dup", "older"))
    await lib.put("b.md", styleFile("dup", "newer"))
    await lib.put("keep.md", styleFile("keep"))
    await lib.styles.delete("dup")
    expect(await lib.styles.get("dup")).toBeUndefined()
    expect(await lib.files()).toEqual(["keep.md"])
  })
})
