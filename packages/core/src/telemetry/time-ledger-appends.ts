import type { Backend } from "../backend/backend.js";
import { errorType } from "./error-type.js";
import { openTelemetry } from "./open-telemetry.js";
import { WRIT_ATTRIBUTES as A } from "./writ-attributes.js";
import { writInstruments } from "./writ-metrics.js";

/**
 * The guard's backend with the time each ledger append takes recorded
 * (`writ.ledger.append.duration`, by the kind of its first row). `backend`
 * is the guard's own wrapper object, whose methods are its own properties.
 */
export function timeLedgerAppends(backend: Backend): Backend {
  const api = openTelemetry;
  if (api === undefined) return backend;
  const timed = async <T>(kind: string, append: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const attributes: Record<string, string> = { [A.ledgerKind]: kind };
    try {
      return await append();
    } catch (error) {
      attributes[A.errorType] = errorType(error);
      throw error;
    } finally {
      writInstruments(api).ledgerAppendDuration.record(
        (performance.now() - started) / 1000,
        attributes,
      );
    }
  };
  const { reserveAndAppend } = backend;
  return {
    ...backend,
    append: (appends, options) =>
      timed(appends[0]?.entry.kind ?? "none", () => backend.append(appends, options)),
    // A decision row committed with its budget reservation is a decision append too.
    ...(reserveAndAppend === undefined
      ? {}
      : {
          reserveAndAppend: (request, decide) =>
            timed("decision", () => reserveAndAppend(request, decide)),
        }),
  };
}
