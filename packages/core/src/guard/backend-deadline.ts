import type { Backend } from "../backend/backend.js";
import { WritError } from "../errors.js";
import { withinDeadline } from "./within-deadline.js";

/**
 * The backend with every call a decision waits on bounded in time. A store
 * that hangs (a stalled connection, a locked file) must not hang the agent:
 * past the deadline the call is refused. A write that lands after its deadline
 * still lands, but the guard has already refused the tool, so at worst the
 * ledger shows a decision with no outcome — never a tool run without a row.
 */
export function withDeadline(backend: Backend, deadlineMs: number): Backend {
  const bounded =
    <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      withinDeadline(
        call(...args),
        deadlineMs,
        () =>
          new WritError(
            "store.unavailable",
            `The backend did not answer ${operation} within ${deadlineMs} ms; refusing the call.`,
          ),
      );
  return {
    ...(backend.queuesAppends === undefined ? {} : { queuesAppends: backend.queuesAppends }),
    watch: (sink) => backend.watch(sink),
    close: () => backend.close(),
    append: bounded("append", (appends, options) => backend.append(appends, options)),
    recordDelegations: bounded("recordDelegations", (records) =>
      backend.recordDelegations(records),
    ),
    requestApproval: bounded("requestApproval", (request) => backend.requestApproval(request)),
    decideApproval: bounded("decideApproval", (id, decision) =>
      backend.decideApproval(id, decision),
    ),
    consumeApproval: bounded("consumeApproval", (id, binding, at) =>
      backend.consumeApproval(id, binding, at),
    ),
    getApproval: bounded("getApproval", (id) => backend.getApproval(id)),
    reserveBudgets: bounded("reserveBudgets", (request) => backend.reserveBudgets(request)),
    releaseBudgets: bounded("releaseBudgets", (id, callId) => backend.releaseBudgets(id, callId)),
    ...(backend.reserveAndAppend === undefined
      ? {}
      : {
          reserveAndAppend: bounded("reserveAndAppend", backend.reserveAndAppend.bind(backend)),
        }),
  };
}
