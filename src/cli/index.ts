/**
 * cli/ owns the `lanvault` command line (DESIGN §11): argument parsing, reading
 * secrets (prompt, stdin, environment — never argv), human and JSON output, exit
 * codes. It talks to the daemon only through the public client (api/client);
 * it opens a home itself only for `init`, an offline `reset` and `daemon`.
 */
export { main, buildProgram, type CliIo, type Prompts } from "./main.js"
