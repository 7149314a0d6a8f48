/**
 * Pure builders of a database's Nomad jobs (one per job kind, from the engine's task specs),
 * in the JSON form of Nomad's API, as our nomad/ module registers them.
 */
export * from "./types";
export { jobId, JobKind } from "./ids";
export { variablePath } from "./parts";
export { engineJob, EngineJobArgs } from "./engine";
export { configureJob, ConfigureJobArgs } from "./configure";
export { sqlJob, SQL_PAYLOAD_FILE, SQL_PAYLOAD_PATH } from "./sql";
