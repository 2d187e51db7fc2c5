import type { Backend } from "../backend/backend.js";

/**
 * A backend that does what `backend` does, except for the methods in
 * `overrides`: for tests that inject a fault, a delay, or a tap on the live
 * feed into one method of a real backend.
 */
export function overrideBackend(backend: Backend, overrides: Partial<Backend>): Backend {
  return {
    ...(backend.queuesAppends === undefined ? {} : { queuesAppends: backend.queuesAppends }),
    watch: (sink) => backend.watch(sink),
    append: (appends, options) => backend.append(appends, options),
    recordDelegations: (records) => backend.recordDelegations(records),
    requestApproval: (request) => backend.requestApproval(request),
    decideApproval: (id, decision) => backend.decideApproval(id, decision),
    consumeApproval: (id, binding, at) => backend.consumeApproval(id, binding, at),
    getApproval: (id) => backend.getApproval(id),
    reserveBudgets: (request) => backend.reserveBudgets(request),
    releaseBudgets: (id, callId) => backend.releaseBudgets(id, callId),
    ...(backend.reserveAndAppend === undefined
      ? {}
      : { reserveAndAppend: backend.reserveAndAppend.bind(backend) }),
    close: () => backend.close(),
    ...overrides,
  };
}
