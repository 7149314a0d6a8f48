/** The Nomad job ids of a database: one Nomad cluster runs every database's jobs, so each carries the database's name. */

/** The kinds of job a database has. */
export type JobKind = "engine" | "configure" | "sql" | "backup" | "restore" | "backups" | "restore-drill";

/** The id of a database's job of that kind, e.g. `my-first-db-engine`. */
export function jobId(database: string, kind: JobKind): string {
    return `${database}-${kind}`;
}
