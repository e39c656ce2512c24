import { expect, test } from "bun:test"
import { connect } from "../helpers/mcp"

test("generate, poll, show", async () => {
  await using env = await connect()
  const started = await env.call("generate_image", { prompt: "a red fox", provider: "placeholder" })
  console.log(JSON.stringify(started, null, 1))
  const { image_id } = JSON.parse(env.text(started))
  await env.services.jobs.idle()
  console.log(env.text(await env.call("check_generation_status", { image_id })))
  const shown = await env.call("show_image", { uri: `image://${image_id}/view?width=100&height=50&format=jpeg` })
  console.log(env.text(shown))
  console.log((await env.client.listTools()).tools.map((t) => [t.name, t.icons, t._meta]))
  const list = await env.client.readResource({ uri: "image://list" })
  console.log(list.contents[0])
  expect(true).toBe(true)
})
