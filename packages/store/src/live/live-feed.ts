import type { RevocationKind } from "@writ/core";
import type { LiveChange, LiveSink, LiveWatch } from "@writ/core/backend";

/** How a store pushes live state to the guards watching it. */
export interface LiveFeed {
  watch(sink: LiveSink): Promise<LiveWatch>;
  /** Told of every committed change, in sequence order. */
  deliver(changes: readonly LiveChange[]): void;
  /** Tells this process's sinks of a revocation begun here, before it commits (LiveSink.revocationPending). */
  revocationPending(kind: RevocationKind, id: string): void;
  /** Tells them it definitely did not commit. */
  revocationWithdrawn(kind: RevocationKind, id: string): void;
  close(): Promise<void>;
}
