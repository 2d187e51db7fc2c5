export { ADAPTER } from "./adapter.js";
export { allowedCall } from "./allowed-call.js";
export type { ApprovalContext, Approver } from "./approver.js";
export { sessionFromContext } from "./session-from-context.js";
export { usableTools } from "./usable-tools.js";
export { type WithDenials, type WithWritOptions, withWrit } from "./with-writ.js";
export { isWritDenial, type WritDenial } from "./writ-denial.js";
export { writSession } from "./writ-session.js";
