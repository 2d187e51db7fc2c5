import type { Backend } from "../backend/backend.js";
import { BoundedCache } from "../bounded-cache.js";
import { WritError } from "../errors.js";
import { delegationRecords } from "../writ/delegation-records.js";
import type { Hop } from "../writ/hop.js";
import type { VerifiedWrit } from "../writ/verify-writ.js";

/**
 * Records each hop of the delegation graph once, the first time a call
 * carries it; a hop recorded before is remembered and not written again. A
 * hop id names one hop: a hop carrying the id of another recorded hop is
 * refused (writ.jti_reused), whether this recorder or the graph remembers it.
 */
export class DelegationRecorder {
  readonly #backend: Backend;
  /** Hop ids recorded, each with the hash of its hop. */
  readonly #recordedHops = new BoundedCache<string, string>(100_000);

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /**
   * Throws `writ.jti_reused` for a hop whose id is recorded for another hop,
   * and `ledger.unavailable` when the graph cannot be recorded: either way the
   * call is refused. Returns nothing to wait for when every hop is recorded already.
   */
  recordNewHops(verified: VerifiedWrit): Promise<void> | undefined {
    const fresh: Hop[] = [];
    for (const hop of verified.hops) {
      const recorded = this.#recordedHops.get(hop.claims.jti);
      if (recorded === undefined) fresh.push(hop);
      else if (recorded !== hop.hash) throw jtiReused(hop.index);
    }
    // A writ whose hops are all recorded (every call but its first) waits on nothing.
    return fresh.length === 0 ? undefined : this.#record(verified, fresh);
  }

  async #record(verified: VerifiedWrit, fresh: readonly Hop[]): Promise<void> {
    const records = delegationRecords(verified).filter((record) =>
      fresh.some((hop) => hop.claims.jti === record.jti),
    );
    try {
      await this.#backend.recordDelegations(records);
    } catch (error) {
      // The graph refused a hop that is not the one recorded under its id: the writ's fault.
      if (error instanceof WritError && error.code === "writ.jti_reused") {
        const jti = error.details.name;
        throw jtiReused(fresh.find((hop) => hop.claims.jti === jti)?.index);
      }
      throw new WritError(
        "ledger.unavailable",
        "The delegation graph could not be recorded.",
        {},
        error,
      );
    }
    for (const hop of fresh) this.#recordedHops.set(hop.claims.jti, hop.hash);
  }
}

/** A hop whose id (jti) the delegation graph already holds for another hop. */
function jtiReused(hop: number | undefined): WritError {
  return new WritError(
    "writ.jti_reused",
    "A hop of this writ reuses the id (jti) of a hop already recorded in another chain.",
    hop === undefined ? {} : { hop },
  );
}
