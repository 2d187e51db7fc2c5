export { allowedCall } from "./allowed-call.js";
export {
  type WritApprovalDecision,
  type WritApprovalRequest,
  type WritApprovalResponse,
  writApprovalResponseSchema,
} from "./approval-interrupt.js";
export { type WithWritOptions, withWrit } from "./with-writ.js";
export { type WritContext, writContextSchema } from "./writ-context.js";
export { WritGuardedTool } from "./writ-guarded-tool.js";
export {
  type WritMiddleware,
  type WritMiddlewareOptions,
  writMiddleware,
} from "./writ-middleware.js";
export { writSession } from "./writ-session.js";
export type { WritToolOptions } from "./writ-tool-options.js";
