export { type CliIo, processIo } from "./cli-io.js";
export { EXIT_CODES, type ExitCode } from "./exit-codes.js";
export { runCli } from "./run-cli.js";
