import { LanvaultError } from "../errors.js"
import { EXIT_ERROR } from "./io.js"

/** A failure the CLI itself reports (a declined confirmation, an ambiguous id), with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_ERROR,
  ) {
    super(message)
    this.name = new.target.name
  }
}

/** A usage error (exit 2): the command line or stdin does not say what is needed. */
export function usageError(message: string): LanvaultError {
  return new LanvaultError("USAGE", message)
}
