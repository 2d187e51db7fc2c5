/** `ocsf`: OCSF 1.8 API Activity NDJSON; `ecs`: Elastic Common Schema NDJSON; `jsonl`: the sealed rows as they are. */
export type ExportFormat = "ocsf" | "ecs" | "jsonl";

export const EXPORT_FORMATS: readonly ExportFormat[] = ["ocsf", "ecs", "jsonl"];

export interface ExportOptions {
  /**
   * End with a signed tree head covering the export (signed then, if the tree
   * grew), for the receiver to keep as a witness. Default true. A tree head
   * covers every tenant's rows, so leave it out of exports for one tenant.
   */
  readonly treeHead?: boolean;
}
