import { MemoryBackend, seededRandom } from "@writ/core/testing";
import { backendContractSuite } from "../../../test/backend/backend-contract-suite.js";

backendContractSuite("MemoryBackend", {
  open: (clock) => new MemoryBackend({ clock, random: seededRandom("memory-suite") }),
});
