/**
 * The one event idiom of lanvault (sync sessions, the replicator, mDNS
 * discovery, the key manager): a typed map of events, each with a one-line doc.
 */

/** A listener of one event. */
export type Listener<T> = (payload: T) => void

/**
 * A small typed event emitter. A listener that throws does not disturb the
 * emitter or the other listeners: the error goes to `onListenerError` (a log
 * line), so a peer's message can never throw through the daemon's handlers.
 */
export class TypedEvents<M extends object> {
  private readonly listeners = new Map<keyof M, Set<Listener<never>>>()

  constructor(private readonly onListenerError: (event: string, error: unknown) => void) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof M>(event: K, listener: Listener<M[K]>): () => void {
    let set = this.listeners.get(event)
    if (set === undefined) this.listeners.set(event, (set = new Set()))
    set.add(listener as Listener<never>)
    return () => this.off(event, listener)
  }

  off<K extends keyof M>(event: K, listener: Listener<M[K]>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>)
  }

  /** Calls every listener of `event` in order of registration. Never throws. */
  emit<K extends keyof M>(event: K, payload: M[K]): void {
    const set = this.listeners.get(event)
    if (set === undefined) return
    for (const listener of [...set]) {
      try {
        ;(listener as Listener<M[K]>)(payload)
      } catch (error) {
        this.onListenerError(String(event), error)
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners.clear()
  }
}
