import type { LiveChange, LiveSnapshot } from "@writ/core/backend";

/**
 * What the live feed sends, as server-sent events. `id` is the store's
 * sequence number: a client resumes with Last-Event-ID. A tenant-scoped feed
 * sends one `change` event per sequence number, with the changes of that
 * number it may see (none, for another tenant's change), so the client can
 * tell a gap from a change it was not meant to see.
 */
export type LiveEvent =
  | { readonly type: "snapshot"; readonly id: number; readonly snapshot: LiveSnapshot }
  | { readonly type: "change"; readonly id: number; readonly changes: readonly LiveChange[] }
  /** Nothing changed up to `seq`, as of `at` (epoch ms): the feed from the store is alive. */
  | { readonly type: "heartbeat"; readonly seq: number; readonly at: number }
  /** The server's own feed from its store is broken: guards must fail closed until a heartbeat. */
  | { readonly type: "fault"; readonly code: string; readonly message: string };
