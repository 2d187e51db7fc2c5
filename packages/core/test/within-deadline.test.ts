import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withinDeadline } from "../src/guard/within-deadline.js";

describe("withinDeadline", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("refuses each wait at its own deadline, whatever the waits around it do", async () => {
    const outcomes: string[] = [];
    const track = (name: string, work: Promise<string>) =>
      withinDeadline(work, 100, () => new Error(`${name} timed out`)).then(
        (value) => outcomes.push(`${name}: ${value}`),
        (error: Error) => outcomes.push(error.message),
      );
    let answerSecond: (value: string) => void = () => {};
    track("first", new Promise(() => {}));
    await vi.advanceTimersByTimeAsync(10);
    track("second", new Promise((resolve) => (answerSecond = resolve)));
    await vi.advanceTimersByTimeAsync(10);
    track("third", new Promise(() => {}));
    await vi.advanceTimersByTimeAsync(30);
    answerSecond("answered");
    await vi.advanceTimersByTimeAsync(49);
    expect(outcomes).toEqual(["second: answered"]);
    await vi.advanceTimersByTimeAsync(1);
    expect(outcomes).toEqual(["second: answered", "first timed out"]);
    await vi.advanceTimersByTimeAsync(19);
    expect(outcomes).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(outcomes).toEqual(["second: answered", "first timed out", "third timed out"]);
  });

  it("passes on a rejection that comes in time, and a late answer changes nothing", async () => {
    await expect(
      withinDeadline(Promise.reject(new Error("store down")), 100, () => new Error("late")),
    ).rejects.toThrow("store down");
    let answer: (value: string) => void = () => {};
    const waiting = withinDeadline(
      new Promise<string>((resolve) => (answer = resolve)),
      100,
      () => new Error("timed out"),
    );
    const settled = expect(waiting).rejects.toThrow("timed out");
    await vi.advanceTimersByTimeAsync(100);
    answer("too late");
    await settled;
  });
});
