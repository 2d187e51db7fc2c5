import { processIo } from "./cli-io.js";
import { runCli } from "./run-cli.js";

// Exit as soon as the command is done: idle keep-alive sockets must not hold the process open.
process.exit(await runCli(process.argv.slice(2), processIo()));
