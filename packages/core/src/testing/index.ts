export { fixedClock, seededRandom } from "./deterministic.js";
export { MemoryBackend, type MemoryBackendOptions } from "./memory-backend.js";
export { overrideBackend } from "./override-backend.js";
export type { TestBackend } from "./test-backend.js";
export { createTestWorld, type TestWorld, type TestWorldOptions } from "./test-world.js";
