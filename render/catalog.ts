/** The platform's catalog of databases: one Consul KV entry per database (no secret in it). */

/** Where a database's entry lives in Consul's KV store. */
export function catalogPath(database: string): string {
    return `dbaas/databases/${database}`;
}

/**
 * Where the restore drill records its last result, beside the database's entry: JSON
 * {"result": "passed"|"failed", "backup", "backupFinished", "started", "finished", "tables", "rows", "message"}.
 */
export function restoreDrillPath(database: string): string {
    return `${catalogPath(database)}/restore-drill`;
}

/** What the catalog says of a database. */
export interface CatalogEntry {
    /** The engine. */
    readonly engine: string;
    /** The exact version deployed. */
    readonly version: string;
    /** The address clients connect to (the floating IP). */
    readonly address: string;
    /** The engine's port. */
    readonly port: number;
}

/** The entry's value (JSON). */
export function catalogValue(entry: CatalogEntry): string {
    return JSON.stringify({ engine: entry.engine, version: entry.version, address: entry.address, port: entry.port });
}
