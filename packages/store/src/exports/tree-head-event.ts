import type { ExportFormat, SignedTreeHead } from "@writ/core/backend";
import { ECS_VERSION } from "./ecs-event.js";
import { OCSF_VERSION } from "./ocsf-api-activity.js";

/**
 * A signed tree head as the last line of an export: the SIEM keeps a copy of
 * the tree outside the store (a witness), and `writ audit verify --against`
 * reads it back from the export. Each format carries the head whole, so it
 * verifies on its own.
 */
export function treeHeadEvent(format: ExportFormat, head: SignedTreeHead): unknown {
  switch (format) {
    case "jsonl":
      return head;
    case "ocsf":
      return {
        class_uid: 6003,
        class_name: "API Activity",
        category_uid: 6,
        category_name: "Application Activity",
        activity_id: 99,
        activity_name: "Sign tree head",
        type_uid: 600399,
        type_name: "API Activity: Other",
        time: head.time,
        severity_id: 1,
        severity: "Informational",
        status_id: 1,
        status: "Success",
        message: `ledger tree head: ${head.treeSize} rows`,
        metadata: {
          version: OCSF_VERSION,
          product: { name: "Writ", vendor_name: "Writ" },
          uid: `tree-head-${head.treeSize}`,
          log_name: "writ.ledger",
          event_code: "tree_head",
        },
        actor: { app_name: "writ", app_uid: head.signer },
        api: { operation: "writ.tree_head", request: { uid: `tree-head-${head.treeSize}` } },
        src_endpoint: { name: "writ" },
        unmapped: { writ: { kind: "tree_head", tree_head: head } },
      };
    case "ecs":
      return {
        "@timestamp": new Date(head.time).toISOString(),
        ecs: { version: ECS_VERSION },
        event: {
          id: `tree-head-${head.treeSize}`,
          kind: "event",
          category: ["configuration"],
          type: ["info"],
          action: "writ.tree_head",
          outcome: "success",
          dataset: "writ.ledger",
          provider: "writ",
        },
        writ: { kind: "tree_head", tree_head: head },
      };
  }
}
