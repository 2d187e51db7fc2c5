import type { Command } from "../command.js";
import { agentCommands } from "./agent-commands.js";
import { apiKeyCommands } from "./api-key-commands.js";
import { applyCommand } from "./apply.js";
import { approvalCommands } from "./approval-commands.js";
import { auditCommands } from "./audit-commands.js";
import { budgetCommands } from "./budget-commands.js";
import { connectCommand } from "./connect.js";
import { delegateCommand } from "./delegate.js";
import { gatewayCommand } from "./gateway.js";
import { grantCommand } from "./grant.js";
import { initCommand } from "./init.js";
import { inspectCommand } from "./inspect.js";
import { issueCommand } from "./issue.js";
import { keyCommands } from "./key-commands.js";
import { policyCommands } from "./policy-commands.js";
import { proveCommand } from "./prove.js";
import { revokeCommand } from "./revoke.js";
import { roleCommands } from "./role-commands.js";
import { serveCommand } from "./serve.js";
import { userCommands } from "./user-commands.js";

/** Every command, in the order `writ help` lists them. */
export const COMMANDS: readonly Command[] = [
  initCommand,
  serveCommand,
  gatewayCommand,
  connectCommand,
  ...userCommands,
  ...roleCommands,
  ...agentCommands,
  ...policyCommands,
  grantCommand,
  issueCommand,
  delegateCommand,
  proveCommand,
  inspectCommand,
  revokeCommand,
  ...approvalCommands,
  ...budgetCommands,
  ...auditCommands,
  ...keyCommands,
  ...apiKeyCommands,
  applyCommand,
];
