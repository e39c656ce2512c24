import { expect, test } from "bun:test"
import { quadrantPng } from "../fixture/images"
import { connect } from "../helpers/mcp"

test("fetch_image answers a refused address with a sentence, not an error", async () => {
  await using env = await connect()
  const result = await env.call("fetch_image", { url: "http://169.254.169.254/latest/meta-data/" })
  expect(result.isError).toBeFalsy()
  expect(env.text(result)).toStartWith("Could not fetch the image: ")
  expect(env.text(result)).toContain("private, loopback")
})

test("ingest_base64_image stores the image; image://list shows it as imported", async () => {
  await using env = await connect()
  const data = `data:image/png;base64,${Buffer.from(quadrantPng(12, 12)).toString("base64")}`
  const result = await env.call("ingest_base64_image", { data })
  const uri = env.text(result).replace("Ingested image into the gallery: ", "")
  expect(uri).toMatch(/^image:\/\/[0-9a-f]{12}\/view$/)
  const list = JSON.parse(await env.readText("image://list"))
  expect(list).toEqual([
    expect.objectContaining({ original_uri: uri, origin: "imported", origin_source: "base64", provider: "" }),
  ])
  const bad = await env.call("ingest_base64_image", { data: "%%%" })
  expect(bad.isError).toBeFalsy()
  expect(env.text(bad)).toStartWith("Could not decode the image: ")
})

test("the intake tools point at transform_image", async () => {
  await using env = await connect()
  const tools = Object.fromEntries((await env.client.listTools()).tools.map((t) => [t.name, t]))
  for (const name of ["fetch_image", "ingest_base64_image"]) {
    expect(tools[name]?.description).toContain("transform_image")
    expect(tools[name]?._meta).toEqual({ _fastmcp: { tags: ["write"] } })
  }
  expect(tools.fetch_image?.annotations).toMatchObject({ title: "Fetch Image", openWorldHint: true })
})
