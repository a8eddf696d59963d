/**
 * demo/ owns `lanvault demo`: three throwaway devices on this machine, each a
 * real `lanvault daemon` child process with a temporary home, driven through the
 * lanvault CLI (child processes) and the public client, and narrated as they
 * pair and sync. It never opens a home itself and never imports the daemon.
 */
export { runDemo, type DemoOptions } from "./run-demo.js"
