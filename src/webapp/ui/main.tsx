/** Entry point of the page: mounts the app. */
import { render } from "preact"
import { App } from "./app.js"

performance.mark("lanvault:script-start")
const root = document.getElementById("app")!
// The "Loading…" placeholder is static HTML: remove it rather than let the app render beside it.
root.textContent = ""
render(<App />, root)
