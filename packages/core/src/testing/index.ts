export { fixedClock, seededRandom } from "./deterministic.js";
export { MemoryBackend, type MemoryBackendOptions } from "./memory-backend.js";
