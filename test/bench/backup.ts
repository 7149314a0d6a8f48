/**
 * Benchmark (not a test): `npm run bench:backup [-- --scale 50 --runs 3 --only backup|restore]`.
 *
 * Seeds PostgreSQL 15 with pgbench (scale 50 by default: 5 M accounts, 755 MB), starts the
 * Swift all-in-one, and in one run measures, in interleaved rounds (on a shared machine a case
 * and its baseline see the same load), the median of --runs rounds:
 *   raw dump     pg_dump -Fc > /dev/null
 *   our backup   the backup job's two tasks (dump | zstd | tee → named pipe → rclone rcat,
 *                crypt, segmented upload, manifest, size check, prune), primary only, for
 *                several dump/zstd choices; without row counts; with the verified secondary copy
 *   file first   dump | zstd > file, then rclone copyto (the alternative to the pipe)
 *   raw restore  pg_restore -j 2 from a local file written by pg_dump -Fc -f
 *   our restore  the restore job (fetch, decrypt, verify the sha256, then either zstd -d to a
 *                file and pg_restore -j 2, or zstd -d | pg_restore, one job, streaming)
 * and prints our backup / raw dump and our restore / raw restore (per-round ratios' median).
 * PostgreSQL runs with its default (durable) settings. Everything is on loopback and stopped.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BackupOptions, DEFAULT_BACKUP_OPTIONS, DEFAULT_RETENTION, EngineBackupCommands } from "../../backups";
import { startSwift, SwiftAio } from "../support/swift";
import { must, PG_BIN, PgServer, startPostgres } from "../support/postgres";
import { backupOnce, jobEnv, newSecrets, pgCommands, pgCommandsSnapshot, pgEngineSpec, restoreOnce, show, testRcloneConf } from "../support/backupFixture";

function flag(name: string): string | undefined {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
}
const SCALE = Number(flag("scale") ?? 50);
const RUNS = Number(flag("runs") ?? 3);
const ONLY = flag("only") ?? "";

function median(xs: readonly number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** One measured case. */
interface Case {
    readonly label: string;
    readonly before?: () => Promise<void> | void;
    readonly run: () => Promise<void> | void;
}

/** Runs every case once per round, in order, RUNS rounds; prints each case's median and runs. */
async function rounds(cases: readonly Case[]): Promise<Map<string, number[]>> {
    const times = new Map<string, number[]>(cases.map((c) => [c.label, []]));
    for (let i = 0; i < RUNS; i++) {
        for (const c of cases) {
            await c.before?.();
            const t = process.hrtime.bigint();
            await c.run();
            times.get(c.label)!.push(Number(process.hrtime.bigint() - t) / 1e9);
        }
    }
    for (const c of cases) {
        const xs = times.get(c.label)!;
        console.log(`${c.label.padEnd(68)} ${median(xs).toFixed(2).padStart(7)} s   (${xs.map((x) => x.toFixed(2)).join(", ")})`);
    }
    return times;
}

/** The median of the per-round ratios a[i] / b[i] (and the ratio of the medians). */
function ratio(a: readonly number[], b: readonly number[]): string {
    return `${median(a.map((x, i) => x / b[i])).toFixed(2)}  (ratio of medians ${(median(a) / median(b)).toFixed(2)})`;
}

function sh(script: string): void {
    const r = spawnSync("bash", ["-c", `set -euo pipefail; ${script}`], { encoding: "utf8", env: { ...process.env, PATH: `${PG_BIN}:${process.env.PATH}` } });
    if (r.status !== 0) throw new Error(`bash -c ${script}: ${r.stderr}`);
}

/** The shared setup of both halves. */
interface Bench {
    readonly dir: string;
    readonly src: PgServer;
    readonly dst: PgServer;
    readonly conf: string;
    readonly env: Record<string, string>;
}

const RAW = "raw: pg_dump -Fc > /dev/null";
const CHOSEN = "ours (the engine's): pg_dump -Fc -Z0 in a snapshot, counts beside in it | zstd -3 -T0 | rclone";
const NOCOUNT = "ours, chosen, without the row counts";
const COPY = "ours, chosen, + verified copy to the secondary";
const FILE = "file first: pg_dump -Fc -Z0 | zstd -3 -T0 > file; rclone copyto";

async function benchBackup(b: Bench): Promise<void> {
    console.log("\n-- backup");
    const conn = b.src.connArgs.join(" ");
    const sizes: Record<string, string> = {};
    const primaryOnly = { ...b.env, DBAAS_BACKUP_SECONDARY: "0" };
    const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 1100)); // one backup id per second
    // Per case, seconds from the start to the backup being committed (its manifest uploaded: the
    // upload task's "uploaded" line); the rest of the job is the secondary copy and pruning.
    const committed = new Map<string, number[]>();
    const ours = (label: string, cmd: EngineBackupCommands, opts: Partial<BackupOptions>, env: Record<string, string> = primaryOnly): Case => ({
        label, before: pause,
        run: async () => {
            const t0 = Date.now();
            const r = await backupOnce(cmd, b.conf, env, { ...DEFAULT_BACKUP_OPTIONS, retention: DEFAULT_RETENTION, ...opts });
            if (r.dump.code !== 0 || r.upload.code !== 0) throw new Error(show(r.dump, r.upload));
            sizes[label] = /\nsize\t(\d+)/.exec(r.manifest ?? "")?.[1] ?? "?";
            const at = r.upload.stderrTimes.find((l) => /^backup upload: primary:\S+ uploaded/.test(l.line))?.at;
            if (at) committed.set(label, [...(committed.get(label) ?? []), (at - t0) / 1000]);
        },
    });
    const pg = pgCommands(b.src, "app");
    fs.writeFileSync(path.join(b.dir, "rc.conf"), b.conf);
    const t = await rounds([
        { label: RAW, run: () => sh(`pg_dump ${conn} -Fc app > /dev/null`) },
        ours(CHOSEN, pgCommandsSnapshot(b.src, "app"), { zstdLevel: 3, zstdThreads: 0 }),
        ours("ours, counts each in its own snapshot beside the dump (not chosen)", pg, { zstdLevel: 3, zstdThreads: 0 }),
        ours(NOCOUNT, { ...pg, rowCounts: ["true"] }, { zstdLevel: 3, zstdThreads: 0 }),
        ours("ours: pg_dump -Fc -Z0 | zstd -3 -T1 | rclone (primary)", pg, { zstdLevel: 3, zstdThreads: 1 }),
        ours("ours: pg_dump -Fc -Z0 | zstd -1 -T0 | rclone (primary)", pg, { zstdLevel: 1, zstdThreads: 0 }),
        ours("ours: pg_dump -Fc (zlib, -Z6) | zstd -1 -T0 | rclone (primary)", pgCommands(b.src, "app", { dumpCompression: "6" }), { zstdLevel: 1, zstdThreads: 0 }),
        ours(COPY, pgCommandsSnapshot(b.src, "app"), { zstdLevel: 3, zstdThreads: 0 }, b.env),
        { label: FILE, run: () => sh(`pg_dump ${conn} -Fc -Z0 app | zstd -q -3 -T0 > ${b.dir}/d.zst && rclone --config ${b.dir}/rc.conf copyto ${b.dir}/d.zst primary:file-first.zst && rm ${b.dir}/d.zst`) },
    ]);
    for (const [label, size] of Object.entries(sizes)) console.log(`  compressed stream, ${label}: ${(Number(size) / 1e6).toFixed(1)} MB`);
    console.log("\n-- backup summary (target: <= 1.1 x raw dump)");
    console.log(`ours / raw dump:                  ${ratio(t.get(CHOSEN)!, t.get(RAW)!)}`);
    console.log(`  until committed (manifest up):  ${ratio(committed.get(CHOSEN)!, t.get(RAW)!)}   (median ${median(committed.get(CHOSEN)!).toFixed(2)} s)`);
    console.log(`  without the row counts:         ${ratio(t.get(NOCOUNT)!, t.get(RAW)!)}`);
    console.log(`  with the secondary copy:        ${ratio(t.get(COPY)!, t.get(RAW)!)}`);
    console.log(`  file first (not chosen):        ${ratio(t.get(FILE)!, t.get(RAW)!)}`);
}

const RAWR = "raw: pg_restore -j 2 from a local file (pg_dump -Fc -f)";
const OURF = "ours: fetch, verify, zstd -d > file, pg_restore -j 2";
const OURS = "ours (the engine's): fetch, verify, zstd -d | pg_restore --single-transaction";

async function benchRestore(b: Bench): Promise<void> {
    console.log("\n-- restore (of the newest backup on the primary, made with the chosen settings)");
    const r0 = await backupOnce(pgCommandsSnapshot(b.src, "app"), b.conf, b.env);
    if (r0.upload.code !== 0) throw new Error(show(r0.dump, r0.upload));
    const conn = b.src.connArgs.join(" ");
    const dconn = b.dst.connArgs.join(" ");
    sh(`pg_dump ${conn} -Fc -f ${b.dir}/raw.dump app`);
    sh(`pg_dump ${conn} -Fc -Z0 app | cat > ${b.dir}/piped.dump`);
    console.log(`  pg_dump -Fc -f: ${(fs.statSync(`${b.dir}/raw.dump`).size / 1e6).toFixed(1)} MB; -Fc -Z0 through a pipe: ${(fs.statSync(`${b.dir}/piped.dump`).size / 1e6).toFixed(1)} MB`);
    const fresh = (): void => {
        b.dst.psql("postgres", "DROP DATABASE IF EXISTS app WITH (FORCE)");
        b.dst.psql("postgres", "CREATE DATABASE app");
    };
    const ours = (label: string, cmd: EngineBackupCommands): Case => ({
        label, before: fresh,
        run: async () => {
            const r = await restoreOnce(cmd, b.conf, b.env, "primary", "latest");
            if (r.restore?.code !== 0) throw new Error(show(r.fetch, r.restore));
        },
    });
    const t = await rounds([
        { label: RAWR, before: fresh, run: () => sh(`pg_restore ${dconn} -d app --exit-on-error -j 2 ${b.dir}/raw.dump`) },
        ours(OURF, pgCommands(b.dst, "app", { jobs: 2 })),
        ours(OURS, { ...pgEngineSpec(b.dst, "app") }),
        { label: "reference: pg_restore -j 2 from a -Z0 file written through a pipe", before: fresh, run: () => sh(`pg_restore ${dconn} -d app --exit-on-error -j 2 ${b.dir}/piped.dump`) },
        { label: "reference: pg_restore (1 job) from standard input", before: fresh, run: () => sh(`pg_restore ${dconn} -d app --exit-on-error < ${b.dir}/raw.dump`) },
    ]);
    console.log("\n-- restore summary (target: <= 1.2 x raw restore)");
    console.log(`ours (streaming) / raw restore:   ${ratio(t.get(OURS)!, t.get(RAWR)!)}`);
    console.log(`ours (file, -j 2) / raw restore:  ${ratio(t.get(OURF)!, t.get(RAWR)!)}`);
}

async function main(): Promise<void> {
    console.log(`bench:backup: pgbench scale ${SCALE}, ${RUNS} round(s), ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-backup-"));
    let swift: SwiftAio | undefined;
    let src: PgServer | undefined;
    let dst: PgServer | undefined;
    try {
        [swift, src, dst] = await Promise.all([startSwift(), startPostgres({}), startPostgres({})]);
        console.log(`Swift all-in-one started in ${swift.startMs} ms`);
        src.psql("postgres", "CREATE DATABASE app");
        const t = Date.now();
        must(`${PG_BIN}/pgbench`, ["-i", "-s", String(SCALE), "-q", ...src.connArgs, "app"]);
        src.psql("app", "VACUUM ANALYZE; CHECKPOINT");
        console.log(`seeded in ${((Date.now() - t) / 1000).toFixed(1)} s: ${src.psql("app", "SELECT pg_size_pretty(pg_database_size('app'))").trim()}`);
        const b: Bench = { dir, src, dst, conf: testRcloneConf(swift, "db-app", newSecrets(swift), "64M"), env: jobEnv("app", "postgresql", "15") };
        if (ONLY !== "restore") await benchBackup(b);
        if (ONLY !== "backup") await benchRestore(b);
        console.log(`load at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
    } finally {
        await Promise.all([swift?.stop(), src?.stop(), dst?.stop()]);
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
});
