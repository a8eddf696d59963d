/**
 * health/ owns judging secrets: the password-strength estimate (init, passwd,
 * add/edit warnings) and the vault's health report (`lanvault audit`). Pure
 * functions over values it is handed: it knows nothing of the store, the
 * socket, the network or the CLI, and never returns a secret value.
 */
export * from "./password-strength.js"
export * from "./audit-types.js"
export * from "./vault-audit.js"
