/**
 * A real PostgreSQL 15 (Debian's `postgresql` package) for the backup tests and bench, started
 * like the engines will be: a temporary data dir, a unix socket dir, a loopback port, run as an
 * unprivileged user (`postgres` when the tests run as root). Local connections are trusted
 * (the socket dir is private to the test). Stopped by PID.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { requireTool } from "./exec";
import { POSTGRESQL_ROW_COUNT_SQL } from "../../engines/postgresql/backup";
import { freePort, startProcess, Started, stopProcess, waitFor } from "./procs";

/** Debian's PostgreSQL 15 binaries. */
export const PG_BIN = "/usr/lib/postgresql/15/bin";

/** A running server. */
export interface PgServer {
    readonly socketDir: string;
    readonly port: number;
    /** `-h SOCKETDIR -p PORT -U postgres` for the client tools. */
    readonly connArgs: string[];
    /** Runs SQL with psql (unaligned, tuples only, tab-separated); throws on error. */
    psql(db: string, sql: string): string;
    stop(): Promise<void>;
}

/** The uid/gid servers run as: `name`'s when root, else ours. */
export function unprivileged(name: string): { uid: number; gid: number } {
    if (process.getuid?.() !== 0) return { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    const id = (flag: string): number => Number(spawnSync("id", [flag, name], { encoding: "utf8" }).stdout.trim());
    return { uid: id("-u"), gid: id("-g") };
}

/** Runs a tool, throwing with its stderr on failure. */
export function must(cmd: string, args: readonly string[], opts: { input?: string | Buffer; uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}): string {
    const r = spawnSync(cmd, args, { ...opts, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
}

/** Starts a fresh server; `settings` are extra `-c` settings (the tests turn fsync off). */
export async function startPostgres(settings: Record<string, string> = { fsync: "off", synchronous_commit: "off", full_page_writes: "off" }): Promise<PgServer> {
    requireTool(`${PG_BIN}/initdb`, "postgresql");
    const user = unprivileged("postgres");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-"));
    fs.chmodSync(dir, 0o755);
    const data = path.join(dir, "data");
    const socketDir = path.join(dir, "sock");
    fs.mkdirSync(socketDir);
    fs.chownSync(dir, user.uid, user.gid);
    fs.chownSync(socketDir, user.uid, user.gid);
    let proc: Started | undefined;
    const stop = async (): Promise<void> => {
        if (proc) await stopProcess(proc, 30_000);
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        must(`${PG_BIN}/initdb`, ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "-N"], { ...user, env: { ...process.env, LC_ALL: "C" } });
        const port = await freePort();
        const args = ["-D", data, "-k", socketDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1"];
        for (const [k, v] of Object.entries(settings)) args.push("-c", `${k}=${v}`);
        const log = path.join(dir, "postgres.log");
        fs.writeFileSync(log, "");
        fs.chownSync(log, user.uid, user.gid);
        proc = startProcess("postgres", `${PG_BIN}/postgres`, args, log, process.env, user);
        const connArgs = ["-h", socketDir, "-p", String(port), "-U", "postgres"];
        await waitFor("PostgreSQL", () => spawnSync(`${PG_BIN}/pg_isready`, ["-q", ...connArgs]).status === 0, 60_000, [proc]);
        return {
            socketDir, port, connArgs, stop,
            psql: (db, sql) => must(`${PG_BIN}/psql`, ["-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", ...connArgs, "-d", db], { input: sql }),
        };
    } catch (e) {
        await stop();
        throw e;
    }
}

/** Row count per table (`schema.table`) of a database: the engine's own query (engines/postgresql/backup.ts). */
export function pgRowCountSql(): string {
    return POSTGRESQL_ROW_COUNT_SQL;
}

/** Per table: row count and an order-independent checksum of its rows (sum of 60-bit prefixes of each row's md5). */
export function pgTableDigests(pg: PgServer, db: string): Record<string, string> {
    const tables = pg.psql(db, "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog','information_schema') ORDER BY 1").trim().split("\n").filter(Boolean);
    const out: Record<string, string> = {};
    for (const t of tables) {
        out[t] = pg.psql(db, `SELECT count(*) || ' ' || coalesce(sum(('x' || substr(md5(x::text), 1, 15))::bit(60)::bigint::numeric), 0) FROM ${t} x`).trim();
    }
    return out;
}
