import { storeTestBackend } from "../support/store-test-backend.js";
import { backendContractSuite } from "./backend-contract-suite.js";
import { type StoreAdminSuiteOptions, storeAdminSuite } from "./store-admin-suite.js";

export type { BackendUnderTest } from "./store-admin-suite.js";

/**
 * The one backend suite (DESIGN §10) for a store: the Backend contract every
 * backend meets (the memory backend runs it too), then the store's admin API.
 */
export function backendSuite(name: string, options: StoreAdminSuiteOptions): void {
  backendContractSuite(name, {
    open: async (clock) => storeTestBackend(await options.open(clock)),
  });
  storeAdminSuite(name, options);
}
