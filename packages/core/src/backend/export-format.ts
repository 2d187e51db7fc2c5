/** `ocsf`: OCSF 1.8 API Activity NDJSON; `ecs`: Elastic Common Schema NDJSON; `jsonl`: the sealed rows as they are. */
export type ExportFormat = "ocsf" | "ecs" | "jsonl";

export const EXPORT_FORMATS: readonly ExportFormat[] = ["ocsf", "ecs", "jsonl"];
