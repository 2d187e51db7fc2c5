import type { Backend } from "../backend/backend.js";
import { WritError } from "../errors.js";

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
    (...args: A): Promise<R> => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new WritError(
                "store.unavailable",
                `The backend did not answer ${operation} within ${deadlineMs} ms; refusing the call.`,
              ),
            ),
          deadlineMs,
        );
      });
      return Promise.race([call(...args), deadline]).finally(() => clearTimeout(timer));
    };
  return {
    watch: (sink) => backend.watch(sink),
    close: () => backend.close(),
    append: bounded("append", (appends) => backend.append(appends)),
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
  };
}
