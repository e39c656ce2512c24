import { describe, expect, test } from "bun:test"
import { readdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { runImport } from "@/cli/import-command"
import { writePythonImage } from "../fixture/python-scratch"
import { tmpdir } from "../fixture/tmpdir"
import { startServices, testConfig } from "../helpers/services"

async function pythonScratch(dir: string) {
  await writePythonImage(dir, "a00000000001", { source_image_ids: [], origin: "generated", origin_source: null })
  await writePythonImage(dir, "a00000000002", { source_image_id: "a00000000001" })
  await writePythonImage(dir, "a00000000003", { source_image_id: null, provider: "gemini" })
  await writePythonImage(dir, "a00000000004", { origin: "imported", origin_source: "fetch:https://example.com/a.png" })
  await writePythonImage(dir, "a00000000005", { origin: "imported", origin_source: "" })
  await writePythonImage(dir, "a00000000006", {}, { original: false })
  await writePythonImage(dir, "a00000000007", { created_at: undefined })
  await writeFile(join(dir, "a00000000008.json"), "{ this is not json")
  await writeFile(join(dir, "notes.txt"), "not a sidecar")
}

describe("importing a scratch dir written by the Python server", () => {
  test("happens on first start; corrupt sidecars and missing originals are skipped", async () => {
    await using dir = await tmpdir()
    const scratch = join(dir.path, "images")
    await pythonScratch(scratch)
    await using env = await startServices({ dir })
    const ids = (await env.services.images.list()).map((r) => r.id)
    expect(ids).toEqual(["a00000000001", "a00000000002", "a00000000003", "a00000000004", "a00000000005"])
    const get = async (id: string) => env.services.images.get(id)
    expect(await get("a00000000001")).toMatchObject({ origin: "generated", originSource: null, sourceImageIds: [] })
    expect((await get("a00000000002"))?.sourceImageIds).toEqual(["a00000000001"])
    expect(await get("a00000000003")).toMatchObject({ provider: "gemini", sourceImageIds: [], origin: "generated" })
    expect(await get("a00000000004")).toMatchObject({
      origin: "imported",
      originSource: "fetch:https://example.com/a.png",
    })
    expect(await get("a00000000005")).toMatchObject({ origin: "generated", originSource: null })
    expect(await get("a00000000001")).toMatchObject({
      width: 24,
      height: 16,
      aspectRatio: "16:9",
      providerMetadata: { model: "gpt-image-1", size: "1536x1024" },
      createdAt: "2026-03-24T10:00:00.123456+00:00",
    })
    const sidecar = await env.services.images.readSidecar("a00000000002")
    expect(sidecar).toBe(await Bun.file(join(scratch, "a00000000002.json")).text())
    const view = await env.services.views.view("a00000000002", new URLSearchParams())
    expect(view.contentType).toBe("image/png")
  })

  test("later starts do not scan the sidecars again", async () => {
    await using dir = await tmpdir()
    const scratch = join(dir.path, "images")
    await writePythonImage(scratch, "b00000000001", {})
    const first = await startServices({ dir })
    expect(await first.services.images.count()).toBe(1)
    await first.services.close()
    await writePythonImage(scratch, "b00000000002", {})
    await using second = await startServices({ dir })
    expect(await second.services.images.count()).toBe(1)
  })

  test("the import command adds another dir's images, copying them into the scratch dir", async () => {
    await using dir = await tmpdir()
    await using elsewhere = await tmpdir()
    await writePythonImage(elsewhere.path, "c00000000001", { source_image_id: "c00000000009" })
    await writeFile(join(elsewhere.path, "c00000000002.json"), "[]")
    const config = testConfig(dir.path)
    expect(await runImport(config, elsewhere.path)).toBe(0)
    expect((await readdir(config.scratchDir)).sort()).toEqual(["c00000000001-original.png", "c00000000001.json"])
    await using env = await startServices({ dir })
    expect((await env.services.images.get("c00000000001"))?.sourceImageIds).toEqual(["c00000000009"])
  })
})

describe("import bookkeeping", () => {
  test("pointing SCRATCH_DIR at another dir later imports that dir too", async () => {
    await using dir = await tmpdir()
    const first = await startServices({ dir })
    await first.services.close()
    const python = join(dir.path, "python-images")
    await writePythonImage(python, "d00000000001", {})
    await using second = await startServices({ dir, env: { IMAGE_GENERATION_MCP_SCRATCH_DIR: python } })
    expect((await second.services.images.list()).map((r) => r.id)).toEqual(["d00000000001"])
  })

  test("an import cut short resumes on the next start", async () => {
    await using dir = await tmpdir()
    const scratch = join(dir.path, "images")
    for (const n of [1, 2, 3]) await writePythonImage(scratch, `e0000000000${n}`, {})
    const { openTestStorage } = await import("../helpers/storage")
    const { parseSidecar } = await import("@/core/images/sidecar")
    const storage = await openTestStorage(dir.path)
    const { store } = storage
    await store.meta.set(`scratch_import:${scratch}`, "in_progress")
    const firstSidecar = await Bun.file(join(scratch, "e00000000001.json")).text()
    await store.images.insertMany([parseSidecar(firstSidecar, () => 1)])
    await storage.close()
    await using env = await startServices({ dir })
    expect(await env.services.images.count()).toBe(3)
  })
})

test("a sidecar naming another image's file, or stored under another name, is skipped", async () => {
  await using dir = await tmpdir()
  const scratch = join(dir.path, "images")
  await writePythonImage(scratch, "f00000000001", {})
  await writePythonImage(
    scratch,
    "f00000000002",
    { original_filename: "f00000000001-original.png" },
    { original: false },
  )
  await writePythonImage(scratch, "f00000000003", {})
  await writeFile(join(scratch, "copy of f00000000003.json"), await Bun.file(join(scratch, "f00000000003.json")).text())
  await writePythonImage(scratch, "f00000000004", { original_filename: "../f00000000001-original.png" })
  await using env = await startServices({ dir })
  expect((await env.services.images.list()).map((r) => r.id)).toEqual(["f00000000001", "f00000000003"])
})
