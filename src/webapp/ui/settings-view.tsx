import type { StatusResult } from "./api.js"
import { BackupsSection } from "./backups-section.js"
import { BrowserSection } from "./browser-section.js"
import { ExportSection } from "./export-section.js"
import { FoldersSection } from "./folders-section.js"
import { ImportDrop } from "./import-drop.js"
import { LockingSection } from "./locking-section.js"

/** Locking (auto-lock, quick unlock), sync folders, the browser extension, import, export and encrypted backups. */
export function SettingsView(props: { status: StatusResult; onChanged: () => void; onLockedBy: (message: string) => void }) {
  return (
    <main class="settings">
      <h2>Settings</h2>
      <LockingSection status={props.status} onChanged={props.onChanged} />
      <FoldersSection />
      <BrowserSection />
      <ImportDrop />
      <ExportSection />
      <BackupsSection onLockedBy={props.onLockedBy} />
    </main>
  )
}
