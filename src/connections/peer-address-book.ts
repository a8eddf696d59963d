import { META } from "../account/index.js"
import { parseLanPeerAddress } from "./peer-address.js"
import type { AddressShelf } from "./ports.js"

/** Most addresses remembered as reached. */
const MAX_KNOWN_ADDRESSES = 32

/** The address lists kept in store meta (`peers.manual`, `peers.shared`, `peers.known`), read and written as JSON. */
export class PeerAddressBook {
  constructor(private readonly store: AddressShelf, private readonly extraCidrs?: string[]) {}

  list(key: string): string[] {
    try {
      const list = JSON.parse(this.store.getMeta(key) ?? "[]") as unknown
      return Array.isArray(list) ? list.filter((a): a is string => typeof a === "string") : []
    } catch {
      return []
    }
  }

  /** A stored list without what is malformed or off the LAN (stored by an older version, or shared by one). */
  lanList(key: string): string[] {
    return this.list(key).filter((address) => {
      try {
        parseLanPeerAddress(address, this.extraCidrs)
        return true
      } catch {
        return false
      }
    })
  }

  /** An address where a trusted device was reached. */
  remember(address: string): void {
    const known = this.list(META.knownPeers)
    if (known.includes(address)) return
    this.store.setMeta(META.knownPeers, JSON.stringify([...known, address].slice(-MAX_KNOWN_ADDRESSES)))
  }
}
