import { expect, test } from "bun:test"
import { readdir } from "node:fs/promises"
import { quadrantPng } from "../fixture/images"
import { addImage } from "../helpers/gallery"
import { connect } from "../helpers/mcp"

test("delete_image removes the file, the sidecar and the row; a second delete is an error", async () => {
  await using env = await connect()
  const record = await addImage(env.services, quadrantPng(20, 20), { prompt: "it's a test" })
  expect((await readdir(env.config.scratchDir)).sort()).toEqual([`${record.id}-original.png`, `${record.id}.json`])
  const result = await env.call("delete_image", { image_id: record.id })
  expect(env.text(result)).toBe(`Deleted image ${record.id} (prompt: "it's a test", provider: placeholder)`)
  expect(await readdir(env.config.scratchDir)).toEqual([])
  expect(await env.services.images.get(record.id)).toBeUndefined()
  const again = await env.call("delete_image", { image_id: record.id })
  expect(again.isError).toBe(true)
  expect(env.text(again)).toBe(`[server] Image '${record.id}' not found. Read image://list to see available IDs.`)
})

test("a malformed id is refused before anything is touched", async () => {
  await using env = await connect()
  const record = await addImage(env.services, quadrantPng(20, 20))
  const result = await env.call("delete_image", { image_id: "../../etc" })
  expect(result.isError).toBe(true)
  expect(env.text(result)).toBe("image_id must be 12 lowercase hex characters (see image://list); got '../../etc'.")
  expect(await env.services.images.get(record.id)).toBeDefined()
})
