import { describe, expect, it } from "vitest";
import { AI_SDK_MAJOR } from "./sdk-version.js";

describe("the AI SDK these suites run against", () => {
  it("is the major version CI asked for: WRIT_AI_SDK, 7 unless it says 6", () => {
    expect(AI_SDK_MAJOR).toBe(process.env.WRIT_AI_SDK === "6" ? 6 : 7);
  });
});
