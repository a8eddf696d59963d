import { InvalidArgumentError } from "commander"
import { parseHostPort } from "../api/public.js"

/** A commander parser for a whole number within [min, max]. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN
    if (!Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`)
    }
    return number
  }
}

/** A commander parser collecting every use of a repeatable option, in order. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

/** Like {@link collect}, checking each value with `parse` first. */
export function collectWith(parse: (value: string) => string): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => collect(parse(value), previous)
}

/** A commander parser for `HOST:PORT` (IPv6 hosts in brackets: `[fe80::1]:7420`). */
export function hostPort(value: string): string {
  try {
    parseHostPort(value)
  } catch {
    throw new InvalidArgumentError("expected HOST:PORT, e.g. 192.168.1.20:47110 or [fe80::1]:47110")
  }
  return value.trim()
}
