import type { VaultStore } from "../store/vault-store.js"

/** What folder sync needs of the store: a device's log (head, pages, inserting verified entries) and who is trusted. */
export type FolderStore = Pick<VaultStore, "head" | "entriesOf" | "insertEntries" | "getTrust">
