import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv"
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js"

let shared: AjvJsonSchemaValidator | undefined

/**
 * The SDK builds an Ajv instance for every server (a few ms each, at start-up and per HTTP session) although
 * only elicitation answers are ever validated with it. One instance, made on first use, serves every server.
 */
export const lazySchemaValidator: jsonSchemaValidator = {
  getValidator(schema) {
    shared ??= new AjvJsonSchemaValidator()
    return shared.getValidator(schema)
  },
}
