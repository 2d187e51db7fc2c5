export { fixedClock, seededRandom } from "./deterministic.js";
export { MemoryBackend, type MemoryBackendOptions } from "./memory-backend.js";
export { overrideBackend } from "./override-backend.js";
