/**
 * `pnpm start`: the refund agent with OpenTelemetry registered. Spans go to
 * the console, and to an OTLP collector when OTEL_EXPORTER_OTLP_ENDPOINT is
 * set (e.g. http://localhost:4318 for a local collector or Jaeger).
 */
import { sqliteBackend } from "@writ/store";
import { runRefundAgent } from "./refund-agent.js";
import { startTelemetry } from "./telemetry.js";

const stopTelemetry = startTelemetry();
const store = await sqliteBackend({ path: ":memory:" });
try {
  const { refunded } = await runRefundAgent(store);
  console.log(`Refunded: ${refunded.join(", ")}`);
} finally {
  await store.close();
  await stopTelemetry();
}
