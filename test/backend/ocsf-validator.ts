import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsPlugin from "ajv-formats";

/** The OCSF 1.8 API Activity schema, from the shared fixtures beside the repository. */
const SCHEMA_URL = new URL(
  "../../../shared/fixtures/ocsf/api_activity-1.8.0.schema.json",
  import.meta.url,
);

// ajv-formats is CommonJS: its default import is the plugin itself at run time.
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;

/** Validates one exported event; returns ajv's error text, or undefined when the event is valid. */
export function createOcsfValidator(): (event: unknown) => string | undefined {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_URL, "utf8")) as object);
  return (event) => (validate(event) ? undefined : ajv.errorsText(validate.errors));
}
