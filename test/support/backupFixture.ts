/**
 * Wiring shared by the backup spec files and the bench: the rclone config for the all-in-one's
 * two clouds, the engine commands the engines issue will provide (placeholders here, as the
 * engines' definitions will give them), and one-call backup/restore runs.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { DEFAULT_BACKUP_OPTIONS, DUMP_FILE_ARG, EngineBackupCommands, backupJobFiles, BackupOptions } from "../../backups/backupScripts";
import { restoreJobFiles, RestoreOptions } from "../../backups/restoreScripts";
import { Cloud, ENV, SECRET_ITEMS, WORK_DIRS } from "../../backups/contract";
import { DEFAULT_RETENTION } from "../../backups/retention";
import { literalRef, rcloneConfig } from "../../backups/rclone";
import { obscure } from "../../backups/obscure";
import { SwiftAio } from "./swift";
import { engineOf, EngineBackupSpec, resolveVersion } from "../../engines";
import { PG_BIN, PgServer, pgRowCountSql } from "./postgres";
import { newAlloc, runBackupGroup, runRestoreJob, taskEnv, TaskRun } from "./jobs";

/** The secret items of one stack (obscured crypt passwords, Swift keys). */
export type Secrets = Record<string, string>;

/** Fresh random crypt keys for both clouds, plus the all-in-one's Swift keys. */
export function newSecrets(swift: SwiftAio): Secrets {
    const s: Secrets = {};
    for (const c of ["primary", "secondary"] as Cloud[]) {
        s[SECRET_ITEMS.cryptPassword(c)] = obscure(crypto.randomBytes(24).toString("base64"));
        s[SECRET_ITEMS.cryptSalt(c)] = obscure(crypto.randomBytes(24).toString("base64"));
        s[SECRET_ITEMS.swiftSecret(c)] = swift[c].key;
    }
    return s;
}

/** The rclone.conf of the all-in-one's clouds (segments of `chunkSize`). */
export function testRcloneConf(swift: SwiftAio, container: string, secrets: Secrets, chunkSize = "4M", clouds: readonly Cloud[] = ["primary", "secondary"]): string {
    const store = (c: Cloud) => (clouds.includes(c) ? { auth: { kind: "tempauth" as const, authUrl: swift[c].authUrl, user: swift[c].user }, container, chunkSize } : undefined);
    return rcloneConfig({ primary: store("primary"), secondary: store("secondary") }, literalRef(secrets));
}

/**
 * PostgreSQL's commands (as the engines issue will define them): custom format, compression
 * left to zstd; restore streaming into one pg_restore job (test/bench/backup.ts: faster here than
 * decompressing to a file for `-j 2`), or `jobs: N` for the file form.
 */
export function pgCommands(pg: PgServer, db: string, opts: { jobs?: number; dumpCompression?: string } = {}): EngineBackupCommands {
    const conn = ["-h", pg.socketDir, "-p", String(pg.port), "-U", "postgres"];
    return {
        engine: "postgresql",
        dump: [`${PG_BIN}/pg_dump`, ...conn, "-Fc", `-Z${opts.dumpCompression ?? "0"}`, db],
        rowCounts: [`${PG_BIN}/psql`, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", ...conn, "-d", db, "-c", pgRowCountSql()],
        restore: (opts.jobs ?? 1) === 1
            ? { input: "stdin", argv: [`${PG_BIN}/pg_restore`, ...conn, "-d", db, "--exit-on-error"] }
            : { input: "file", argv: [`${PG_BIN}/pg_restore`, ...conn, "-d", db, "--exit-on-error", "-j", String(opts.jobs), DUMP_FILE_ARG] },
    };
}

/**
 * The engine's own commands (engines/postgresql: backupSpec) for an instance whose socket is
 * this server's: the dump with the row counts in its own snapshot (no `rowCounts` command),
 * the live restore, and the fresh restore (`prepare` + restore as the owner) of a new database.
 */
export function pgEngineSpec(pg: PgServer, db: string): EngineBackupSpec {
    const version = resolveVersion("postgresql", "15");
    if (!version.ok) throw new Error(version.message);
    return engineOf("postgresql").backupSpec({
        database: db, mountpoint: "/unused", version: version.version, size: { ramMb: 1024, vcpus: 1 }, volumeGb: 1, users: [], schemas: [],
        paths: { socketDir: pg.socketDir, port: pg.port },
    });
}

/** PostgreSQL's dump with the row counts taken in the dump's own snapshot: the engine's (see {@link pgEngineSpec}). */
export function pgCommandsSnapshot(pg: PgServer, db: string): EngineBackupCommands {
    const spec = pgEngineSpec(pg, db);
    return { engine: spec.engine, restore: pgCommands(pg, db).restore, dump: spec.dump };
}

/** The job's plain environment for a database. */
export function jobEnv(database: string, engine: string, version: string, extra: Record<string, string> = {}): Record<string, string> {
    return { [ENV.database]: database, [ENV.engine]: engine, [ENV.engineVersion]: version, [ENV.secondary]: "1", ...extra };
}

/** One backup run: both tasks, the given engine commands and rclone.conf; returns the manifest it wrote, if any. */
export async function backupOnce(cmd: EngineBackupCommands, conf: string, env: Record<string, string>, options: Partial<BackupOptions> = {}): Promise<{ dump: TaskRun; upload: TaskRun; manifest?: string }> {
    const opts: BackupOptions = { ...DEFAULT_BACKUP_OPTIONS, retention: DEFAULT_RETENTION, ...options };
    const files = backupJobFiles(cmd, opts);
    const alloc = newAlloc();
    try {
        const dumpDir = alloc.task("dump", files.dump);
        const uploadDir = alloc.task("upload", files.upload, conf);
        const r = await runBackupGroup(
            { dir: dumpDir, env: taskEnv(alloc, dumpDir, "engine", env, [PG_BIN]) },
            { dir: uploadDir, env: taskEnv(alloc, uploadDir, "rclone", env) },
        );
        const file = path.join(alloc.allocDir, WORK_DIRS.backup, "manifest");
        return { ...r, manifest: fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined };
    } finally {
        alloc.remove();
    }
}

/** One restore run (fetch, then restore). */
export async function restoreOnce(cmd: EngineBackupCommands, conf: string, env: Record<string, string>, remote: Cloud, backup: string, opts: RestoreOptions = {}): Promise<{ fetch: TaskRun; restore?: TaskRun }> {
    const files = restoreJobFiles(cmd, opts);
    const alloc = newAlloc();
    try {
        const e = { ...env, [ENV.restoreRemote]: remote, [ENV.restoreBackup]: backup };
        const fetchDir = alloc.task("fetch", files.fetch, conf);
        const restoreDir = alloc.task("restore", files.restore);
        return await runRestoreJob(
            { dir: fetchDir, env: taskEnv(alloc, fetchDir, "rclone", e) },
            { dir: restoreDir, env: taskEnv(alloc, restoreDir, "engine", e, [PG_BIN]) },
        );
    } finally {
        alloc.remove();
    }
}

/** A task's output for an assertion message. */
export function show(...runs: Array<TaskRun | undefined>): string {
    return runs.filter((r): r is TaskRun => !!r).map((r) => `--- ${r.task} (exit ${r.code})\n${r.stderr}${r.stdout}`).join("\n");
}


/**
 * Two servers of one engine for the enclosing `describe` (a source and a restore target),
 * started together before its tests and stopped after them; getters for each.
 */
export function useServerPair<S extends { stop(): Promise<unknown> }>(start: () => Promise<S>): [() => S, () => S] {
    let pair: S[] = [];
    before(async function () {
        this.timeout(300_000);
        pair = await Promise.all([start(), start()]);
    });
    after(async () => {
        await Promise.all(pair.map((s) => s.stop()));
    });
    const get = (i: number) => () => {
        const s = pair[i];
        if (!s) throw new Error("the servers exist only inside the tests");
        return s;
    };
    return [get(0), get(1)];
}
