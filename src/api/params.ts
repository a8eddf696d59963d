import { InvalidParamsError } from "../errors.js"

/** Reads a required non-empty string parameter. */
export function requireString(params: unknown, name: string): string {
  const value = (params as Record<string, unknown> | undefined)?.[name]
  if (typeof value !== "string" || value.length === 0) throw new InvalidParamsError(`"${name}" must be a non-empty string`)
  return value
}

export function optionalString(params: unknown, name: string): string | undefined {
  const value = (params as Record<string, unknown> | undefined)?.[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== "string") throw new InvalidParamsError(`"${name}" must be a string`)
  return value
}

export function optionalBoolean(params: unknown, name: string): boolean | undefined {
  const value = (params as Record<string, unknown> | undefined)?.[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== "boolean") throw new InvalidParamsError(`"${name}" must be true or false`)
  return value
}

export function requireObject<T>(params: unknown, name: string): T {
  const value = (params as Record<string, unknown> | undefined)?.[name]
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InvalidParamsError(`"${name}" must be an object`)
  return value as T
}
