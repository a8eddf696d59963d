/** How Bitwarden's typed item parts map to lanvault field names, both ways (bitwarden-json.ts, bitwarden-export.ts). */

/** Bitwarden card keys and lanvault field names (expiry is handled apart: expMonth/expYear). */
export const CARD_FIELDS = [["cardholderName", "cardholder"], ["number", "number"], ["code", "code"], ["brand", "brand"]] as const

/** Bitwarden identity keys and lanvault field names; names stay apart (first, middle, last). */
export const IDENTITY_FIELDS = [
  ["title", "name-title"], ["firstName", "first-name"], ["middleName", "middle-name"], ["lastName", "last-name"],
  ["company", "company"], ["email", "email"], ["phone", "phone"],
  ["address1", "address"], ["address2", "address2"], ["address3", "address3"],
  ["city", "city"], ["state", "state"], ["postalCode", "postal-code"], ["country", "country"],
  ["username", "username"], ["ssn", "ssn"], ["passportNumber", "passport"], ["licenseNumber", "license"],
] as const

/** Bitwarden SSH key keys and lanvault field names. */
export const SSH_FIELDS = [["privateKey", "private-key"], ["publicKey", "public-key"], ["keyFingerprint", "fingerprint"]] as const

/** Kinds of identity fields that are not text. */
export const IDENTITY_KINDS: Record<string, "email" | "phone" | "secret"> = { email: "email", phone: "phone", ssn: "secret", passport: "secret", license: "secret" }

/** A custom field lanvault writes with a record's tags (JSON list) when it has more than the folder. */
export const BITWARDEN_TAGS_FIELD = "lanvault:tags"
/** A custom field lanvault writes with a record's type when Bitwarden has no such type. */
export const BITWARDEN_TYPE_FIELD = "lanvault:type"
