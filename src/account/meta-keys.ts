/** Meta keys account/ owns in the store (apart from account.ts so the files it imports can name them too). */
export const META = {
  accountId: "account.id",
  generation: "account.generation",
  deviceName: "device.name",
  bucketCount: "vault.bucketCount",
  createdAt: "account.createdAt",
  throttle: "unlock.throttle",
  /** This device's password hint (a StoredHint, JSON): never synced. */
  hint: "account.hint",
  /**
   * Legacy: an account key pending its file write. Older versions kept it here;
   * it is moved out (and deleted) at start: vault.db never holds an account key.
   */
  pendingAccountKey: "account.pendingKey",
  /** Legacy: keysets with their account keys in the clear; moved to AsideKeysets at start. */
  orphanKeysets: "keyset.orphans",
  /**
   * The account's trust public key (hex, see deriveTrustKey): verifies trust-list
   * and keyset changes. Public; set at init, join, and checked at every unlock.
   */
  trustPublicKey: "trust.publicKey",
  /**
   * The trust key's signature (base64) over the account's generation: public, made
   * while unlocked (init, reset, every unlock), carried by backups so a restore can
   * trust the generation they name (issue 17 item 8).
   */
  generationSig: "account.generationSig",
  /** Addresses (HOST:PORT) of peers this device has reached: dialled at start. */
  knownPeers: "peers.known",
  /** Addresses added by hand with `lanvault peer add`: dialled and shared with the other devices. */
  manualPeers: "peers.manual",
  /** Addresses other devices shared: dialled. */
  sharedPeers: "peers.shared",
  /** JSON list of vaults from before a reset (backup paths) whose records the next unlock brings in (`join` sets it). */
  formerPending: "former.pending",
  /** The password key a password change replaced, sealed under the new one (vault/previous-password.ts). */
  previousPassword: "password.previous",
} as const
