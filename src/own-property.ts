/**
 * Setting a key read from outside (a field name, a column) on a plain object:
 * shared by the parts that decode such keys and never import each other
 * (merge's snapshot index, api's list rows, import's formats).
 */

const PROTO_KEY = "__proto__"

/** Sets an own, enumerable property, even one named "__proto__" (which an assignment would take as the prototype), as JSON.parse and Object.fromEntries do. */
export function setOwn<T>(object: Record<string, T>, key: string, value: T): void {
  if (key === PROTO_KEY) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
  else object[key] = value
}
