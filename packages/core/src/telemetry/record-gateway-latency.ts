import { openTelemetry } from "./open-telemetry.js";
import { WRIT_ATTRIBUTES as A } from "./writ-attributes.js";
import { writInstruments } from "./writ-metrics.js";

/**
 * Records the time an MCP gateway added to one relayed request
 * (`writ.gateway.added_duration`): its whole answer less the time the
 * upstream took, in seconds.
 */
export function recordGatewayLatency(seconds: number, method: string): void {
  const api = openTelemetry;
  if (api === undefined) return;
  writInstruments(api).gatewayAddedDuration.record(Math.max(0, seconds), { [A.mcpMethod]: method });
}
