// execution.py validate_prompt and validate_inputs (ComfyUI 0.3.64), with their error types, messages and details.
import type { InputDef, NodeDef } from "./nodes"

export interface Problem {
  type: string
  message: string
  details: string
  extra_info: Record<string, unknown>
}
export interface NodeErrors {
  errors: Problem[]
  dependent_outputs: string[]
  class_type: string
}
export type Validation =
  | { ok: true; outputs: string[]; nodeErrors: Record<string, NodeErrors> }
  | { ok: false; error: Problem; nodeErrors: Record<string, NodeErrors> }

type Prompt = Record<string, { class_type?: unknown; inputs?: Record<string, unknown> }>
type Result = [boolean, Problem[], string]

class PythonError extends Error {
  readonly type: string
  constructor(type: string, message: string) {
    super(message)
    this.type = type
  }
}

/** Python's str() of a value as the messages print it: 'text' in lists, repr-like lists. */
export function pyStr(value: unknown, inList = false): string {
  if (typeof value === "string") return inList ? `'${value.replaceAll("'", "\\'")}'` : value
  if (Array.isArray(value)) return `[${value.map((v) => pyStr(v, true)).join(", ")}]`
  if (value === true) return "True"
  if (value === false) return "False"
  if (value === null || value === undefined) return "None"
  return String(value)
}

const isCombo = (type: InputDef[0]): type is readonly (string | number)[] => Array.isArray(type)

function inputInfo(def: NodeDef, name: string): [InputDef, "required" | "optional"] | undefined {
  const required = def.input.required[name]
  if (required) return [required, "required"]
  const optional = def.input.optional?.[name]
  return optional ? [optional, "optional"] : undefined
}

function convert(type: InputDef[0], value: unknown): unknown {
  if (type === "INT") {
    const n = typeof value === "string" && /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : value
    if (typeof n === "boolean") return Number(n)
    if (typeof n !== "number" || !Number.isFinite(n)) throw new Error(`invalid literal for int(): '${pyStr(value)}'`)
    return Math.trunc(n)
  }
  if (type === "FLOAT") {
    const n = typeof value === "string" && value.trim() ? Number(value) : value
    if (typeof n !== "number" || Number.isNaN(n))
      throw new Error(`could not convert string to float: '${pyStr(value)}'`)
    return n
  }
  if (type === "STRING") return pyStr(value)
  if (type === "BOOLEAN") return Boolean(value)
  return value
}

const compatible = (received: string, expected: InputDef[0]) => {
  if (isCombo(expected)) return received === "COMBO" || received === "*"
  if (received === expected || received === "*" || expected === "*") return true
  const a = new Set(received.split(","))
  return expected.split(",").some((t) => a.has(t))
}

function validateInputs(
  prompt: Prompt,
  defs: Record<string, NodeDef>,
  id: string,
  validated: Map<string, Result>,
): Result {
  const done = validated.get(id)
  if (done) return done
  const node = prompt[id] as { class_type: string; inputs: Record<string, unknown> }
  const def = defs[node.class_type] as NodeDef
  const inputs = node.inputs ?? {}
  const errors: Problem[] = []
  let valid = true
  const own = def.validateInputs?.inputs ?? []
  const names = [...Object.keys(def.input.required), ...Object.keys(def.input.optional ?? {})]
  for (const x of names) {
    const [info, category] = inputInfo(def, x) as [InputDef, "required" | "optional"]
    const [type, extra = {}] = info
    if (!(x in inputs)) {
      if (category === "required") {
        errors.push({
          type: "required_input_missing",
          message: "Required input is missing",
          details: x,
          extra_info: { input_name: x },
        })
      }
      continue
    }
    let val = inputs[x]
    if (Array.isArray(val)) {
      if (val.length !== 2) {
        errors.push({
          type: "bad_linked_input",
          message: "Bad linked input, must be a length-2 list of [node_id, slot_index]",
          details: x,
          extra_info: { input_name: x, input_config: info, received_value: val },
        })
        continue
      }
      const source = typeof val[0] === "string" ? prompt[val[0]] : undefined
      if (!source) throw new PythonError("KeyError", `'${pyStr(val[0])}'`)
      const returns = defs[String(source.class_type)]?.output ?? []
      const received = returns[Number(val[1])]
      if (received === undefined) throw new PythonError("IndexError", "tuple index out of range")
      if (!compatible(received, type)) {
        errors.push({
          type: "return_type_mismatch",
          message: "Return type mismatch between linked nodes",
          details: `${x}, received_type(${received}) mismatch input_type(${pyStr(type)})`,
          extra_info: { input_name: x, input_config: info, received_type: received, linked_node: val },
        })
        continue
      }
      const linked = validateInputs(prompt, defs, val[0] as string, validated)
      if (linked[0] === false) valid = false
      continue
    }
    try {
      if (val && typeof val === "object" && "__value__" in val) val = (val as { __value__: unknown }).__value__
      val = convert(type, val)
      inputs[x] = val
    } catch (error) {
      errors.push({
        type: "invalid_input_type",
        message: `Failed to convert an input value to a ${pyStr(type)} value`,
        details: `${x}, ${pyStr(val)}, ${(error as Error).message}`,
        extra_info: { input_name: x, input_config: info, received_value: val, exception_message: String(error) },
      })
      continue
    }
    if (own.includes(x)) continue
    const min = extra.min as number | undefined
    const max = extra.max as number | undefined
    if (min !== undefined && (val as number) < min) {
      errors.push({
        type: "value_smaller_than_min",
        message: `Value ${pyStr(val)} smaller than min of ${min}`,
        details: x,
        extra_info: { input_name: x, input_config: info, received_value: val },
      })
      continue
    }
    if (max !== undefined && (val as number) > max) {
      errors.push({
        type: "value_bigger_than_max",
        message: `Value ${pyStr(val)} bigger than max of ${max}`,
        details: x,
        extra_info: { input_name: x, input_config: info, received_value: val },
      })
      continue
    }
    if (isCombo(type) && !type.includes(val as string | number)) {
      const long = type.length > 20
      errors.push({
        type: "value_not_in_list",
        message: "Value not in list",
        details: `${x}: '${pyStr(val)}' not in ${long ? `(list of length ${type.length})` : pyStr(type)}`,
        extra_info: { input_name: x, input_config: long ? null : info, received_value: val },
      })
    }
  }
  if (def.validateInputs) {
    const verdict = def.validateInputs.check(inputs)
    if (verdict !== true) {
      for (const x of def.validateInputs.inputs) {
        errors.push({
          type: "custom_validation_failed",
          message: "Custom validation failed for node",
          details: `${x} - ${verdict}`,
          extra_info: { input_name: x },
        })
      }
    }
  }
  const result: Result = errors.length || !valid ? [false, errors, id] : [true, [], id]
  validated.set(id, result)
  return result
}

export function validatePrompt(prompt: Prompt, defs: Record<string, NodeDef>): Validation {
  const outputs: string[] = []
  for (const [id, node] of Object.entries(prompt)) {
    if (node?.class_type === undefined) {
      const error = {
        type: "invalid_prompt",
        message: "Cannot execute because a node is missing the class_type property.",
        details: `Node ID '#${id}'`,
        extra_info: {},
      }
      return { ok: false, error, nodeErrors: {} }
    }
    const def = defs[String(node.class_type)]
    if (!def) {
      const error = {
        type: "invalid_prompt",
        message: `Cannot execute because node ${pyStr(node.class_type)} does not exist.`,
        details: `Node ID '#${id}'`,
        extra_info: {},
      }
      return { ok: false, error, nodeErrors: {} }
    }
    if (def.outputNode) outputs.push(id)
  }
  if (!outputs.length) {
    const error = { type: "prompt_no_outputs", message: "Prompt has no outputs", details: "", extra_info: {} }
    return { ok: false, error, nodeErrors: {} }
  }
  const good: string[] = []
  const failed: [string, Problem[]][] = []
  const nodeErrors: Record<string, NodeErrors> = {}
  const validated = new Map<string, Result>()
  for (const o of outputs) {
    let result: Result
    try {
      result = validateInputs(prompt, defs, o, validated)
    } catch (error) {
      const type = error instanceof PythonError ? error.type : "Exception"
      const reasons = [
        {
          type: "exception_during_validation",
          message: "Exception when validating node",
          details: (error as Error).message,
          extra_info: { exception_type: type, traceback: [] },
        },
      ]
      result = [false, reasons, o]
      validated.set(o, result)
    }
    if (result[0]) {
      good.push(o)
      continue
    }
    failed.push([o, result[1]])
    for (const [id, [ok, reasons]] of validated) {
      if (ok || !reasons.length) continue
      nodeErrors[id] ??= { errors: reasons, dependent_outputs: [], class_type: String(prompt[id]?.class_type) }
      nodeErrors[id].dependent_outputs.push(o)
    }
  }
  if (!good.length) {
    const details = failed.flatMap(([, reasons]) => reasons.map((r) => `${r.message}: ${r.details}`)).join("\n")
    const error = {
      type: "prompt_outputs_failed_validation",
      message: "Prompt outputs failed validation",
      details,
      extra_info: {},
    }
    return { ok: false, error, nodeErrors }
  }
  return { ok: true, outputs: good, nodeErrors }
}
