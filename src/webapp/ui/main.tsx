/** Entry point of the page: mounts the app. */
import { render } from "preact"
import { App } from "./app.js"

performance.mark("lanvault:script-start")
render(<App />, document.getElementById("app")!)
