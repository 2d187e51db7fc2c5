export { ADAPTER } from "./adapter.js";
export { allowedCall } from "./allowed-call.js";
export { type ApprovalContext, type Approver, SDK_APPROVAL_RESPONSE } from "./approver.js";
export {
  type RecordApprovalResponsesOptions,
  recordApprovalResponses,
} from "./record-approval-responses.js";
export type { ContextSchema, ToolApprovalOptions, ToolApprovalStatus } from "./sdk-shapes.js";
export { sessionFromContext } from "./session-from-context.js";
export { usableTools } from "./usable-tools.js";
export {
  type WithDenials,
  type WithSessionContext,
  type WithSessionContexts,
  type WithWritOptions,
  withWrit,
} from "./with-writ.js";
export { isWritDenial, type WritDenial } from "./writ-denial.js";
export { writSession } from "./writ-session.js";
export { writToolApproval } from "./writ-tool-approval.js";
export {
  type WritToolContext,
  type WritToolsContext,
  writToolsContext,
} from "./writ-tools-context.js";
