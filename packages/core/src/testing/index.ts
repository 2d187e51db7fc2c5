export { MemoryBackend, type MemoryBackendOptions } from "./memory-backend.js";
export { fixedClock, seededRandom } from "./deterministic.js";
