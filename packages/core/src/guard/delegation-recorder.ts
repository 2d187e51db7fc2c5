import type { Backend } from "../backend/backend.js";
import { BoundedCache } from "../bounded-cache.js";
import { WritError } from "../errors.js";
import { delegationRecords } from "../writ/delegation-records.js";
import type { VerifiedWrit } from "../writ/verify-writ.js";

/**
 * Records each hop of the delegation graph once, the first time a call
 * carries it; a hop recorded before is remembered and not written again.
 */
export class DelegationRecorder {
  readonly #backend: Backend;
  readonly #recordedHops = new BoundedCache<string, true>(100_000);

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** Throws `ledger.unavailable` when the graph cannot be recorded: the call is then refused. */
  async recordNewHops(verified: VerifiedWrit): Promise<void> {
    const isNew = (jti: string) => this.#recordedHops.get(jti) === undefined;
    if (!verified.jtis.some(isNew)) return;
    const records = delegationRecords(verified).filter((record) => isNew(record.jti));
    try {
      await this.#backend.recordDelegations(records);
    } catch (error) {
      throw new WritError(
        "ledger.unavailable",
        "The delegation graph could not be recorded.",
        {},
        error,
      );
    }
    for (const record of records) this.#recordedHops.set(record.jti, true);
  }
}
