/** The strict Nomad job schema of ../shared/schemas (Nomad's API structs, closed), compiled once with ajv. */
import Ajv, { ValidateFunction } from "ajv";
import { readFileSync } from "fs";
import { join } from "path";

/** Where the shared schema lives (read-only, outside the repository). */
export const NOMAD_JOB_SCHEMA = join(__dirname, "..", "..", "..", "shared", "schemas", "nomad-job.schema.json");

let compiled: ValidateFunction | undefined;

/** The errors ajv finds in a job (empty: valid). */
export function nomadJobErrors(job: unknown): string[] {
    compiled ??= new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(NOMAD_JOB_SCHEMA, "utf8")) as object);
    return compiled(job) ? [] : (compiled.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}${e.params && "additionalProperty" in e.params ? ` (${String(e.params["additionalProperty"])})` : ""}`);
}
