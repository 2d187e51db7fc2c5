import type { LiveChange, LiveSink, LiveWatch } from "@writ/core/backend";

/** How a store pushes live state to the guards watching it. */
export interface LiveFeed {
  watch(sink: LiveSink): Promise<LiveWatch>;
  /** Told of every committed change, in sequence order. */
  deliver(changes: readonly LiveChange[]): void;
  close(): Promise<void>;
}
