/**
 * What a Nomad job builder takes: where the database's jobs run, and the tasks the engine
 * defines (engines/engine.ts: TaskSpec). Pure: no Pulumi.
 */
export type { TaskFile, TaskSpec, CommandSpec } from "../engines";

/** Where a database's jobs run. */
export interface JobPlacement {
    /** The database's name (node meta `dbaas.database`; the jobs' ids start with it). */
    readonly database: string;
    /** The Nomad datacenter. */
    readonly datacenter: string;
    /** The Nomad region. */
    readonly region: string;
}

/** A Nomad job in the API's JSON form (`{"Job": …}`, PascalCase fields). */
export interface NomadJob {
    /** The job. */
    readonly Job: Readonly<Record<string, unknown>> & { readonly ID: string; readonly Type: "service" | "batch" };
}
