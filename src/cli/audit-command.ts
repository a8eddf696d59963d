import type { Command } from "commander"
import type { AuditReport } from "../api/protocol.js"
import type { CliContext } from "./context.js"
import { shortId } from "./format.js"

interface AuditOptions {
  json?: boolean
}

/** `audit`: the vault's health report (weak, reused, old secrets; marked logins without TOTP). */
export function registerAuditCommand(program: Command, ctx: CliContext): void {
  program
    .command("audit")
    .description("check the vault's health: weak, reused and old passwords, and logins tagged 2fa without a TOTP field (no value is shown)")
    .option("--json", "print the report as JSON")
    .action(async (options: AuditOptions, command: Command) => {
      const report = await ctx.withClient(command, (client) => client.call("audit", {}))
      if (options.json) ctx.printJson(report)
      else ctx.print(formatAudit(report))
    })
}

/** The human form of the report: one section per kind of finding, each line a record and field. */
export function formatAudit(report: AuditReport): string {
  const where = (ref: { id: string; title: string; field?: string }) => `  ${ref.title} (${shortId(ref.id)})${ref.field ? ` · ${ref.field}` : ""}`
  const lines = [`Checked ${report.secrets} secret${report.secrets === 1 ? "" : "s"} in ${report.records} record${report.records === 1 ? "" : "s"}.`]
  const section = (title: string, items: string[]) => {
    if (items.length > 0) lines.push("", `${title} (${items.length}):`, ...items)
  }
  section("Weak", report.weak.map((ref) => `${where(ref)}  strength ${ref.score} of 4`))
  section("Reused", report.reused.map((group) => `  the same secret in: ${group.map((ref) => `${ref.title} (${shortId(ref.id)}) · ${ref.field}`).join(", ")}`))
  section("Old", report.old.map((ref) => `${where(ref)}  unchanged for ${ref.days} days`))
  section("Tagged 2fa but no TOTP field", report.missingTotp.map((ref) => where(ref)))
  const problems = report.weak.length + report.reused.length + report.old.length + report.missingTotp.length
  lines.push("", problems === 0 ? "Nothing to fix." : "Change these with `lanvault edit ID --generate password` (or --secret-field).")
  return lines.join("\n")
}
