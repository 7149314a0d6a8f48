/**
 * Benchmark (not a test): `npm run bench:backup [-- --scale 50 --runs 3]`.
 *
 * Seeds PostgreSQL 15 with pgbench (scale 50 by default: 5 M accounts), starts the Swift
 * all-in-one, and in one run measures (median of --runs):
 *   raw dump     pg_dump -Fc > /dev/null
 *   our backup   the backup job's two tasks (dump | zstd | tee → pipe → rclone rcat, crypt,
 *                segmented upload, manifest, size check, prune), primary only, for each
 *                dump/zstd choice; plus one run with the verified copy to the secondary
 *   file first   dump | zstd > file, then rclone copyto (the alternative to the pipe)
 *   raw restore  pg_restore -j 2 from a local file written by pg_dump -Fc -f
 *   our restore  the restore job (fetch, decrypt, verify sha256, then either zstd -d to a file
 *                and pg_restore -j 2, or zstd -d | pg_restore streaming, single job)
 * and prints backup / raw dump and restore / raw restore. PostgreSQL runs with its default
 * (durable) settings. Everything runs on loopback and is stopped at the end.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BackupOptions, DEFAULT_BACKUP_OPTIONS, DEFAULT_RETENTION, EngineBackupCommands } from "../backups";
import { startSwift, SwiftAio } from "../test/support/swift";
import { must, PG_BIN, PgServer, startPostgres } from "../test/support/postgres";
import { backupOnce, jobEnv, newSecrets, pgCommands, restoreOnce, show, testRcloneConf } from "../test/support/backupFixture";

function arg(name: string, dflt: number): number {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

const SCALE = arg("scale", 50);
const RUNS = arg("runs", 3);

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function timed(what: string, f: () => Promise<void> | void, before?: () => Promise<void> | void): Promise<number> {
    const xs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
        await before?.();
        const t = process.hrtime.bigint();
        await f();
        xs.push(Number(process.hrtime.bigint() - t) / 1e9);
    }
    const m = median(xs);
    console.log(`${what.padEnd(64)} ${m.toFixed(2).padStart(7)} s   (${xs.map((x) => x.toFixed(2)).join(", ")})`);
    return m;
}

function sh(script: string, env: NodeJS.ProcessEnv = process.env): string {
    const r = spawnSync("bash", ["-c", `set -euo pipefail; ${script}`], { encoding: "utf8", env: { ...env, PATH: `${PG_BIN}:${env.PATH}` }, maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`bash -c ${script}: ${r.stderr}`);
    return r.stdout;
}

async function main(): Promise<void> {
    console.log(`bench:backup: pgbench scale ${SCALE}, ${RUNS} run(s) each, ${os.cpus().length} cores`);
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
        src.psql("app", "CHECKPOINT");
        console.log(`seeded in ${((Date.now() - t) / 1000).toFixed(1)} s: ${src.psql("app", "SELECT pg_size_pretty(pg_database_size('app'))").trim()}`);
        const conn = src.connArgs.join(" ");
        const dconn = dst.connArgs.join(" ");
        const secrets = newSecrets(swift);
        const conf = testRcloneConf(swift, "db-app", secrets, "64M");
        const env = jobEnv("app", "postgresql", "15");
        const primaryOnly = { ...env, DBAAS_BACKUP_SECONDARY: "0" };
        const fresh = (): void => {
            dst!.psql("postgres", "DROP DATABASE IF EXISTS app WITH (FORCE)");
            dst!.psql("postgres", "CREATE DATABASE app");
        };

        console.log("\n-- backup");
        const rawDump = await timed("raw: pg_dump -Fc > /dev/null", () => void sh(`pg_dump ${conn} -Fc app > /dev/null`));
        const sizes: Record<string, string> = {};
        const ours = async (label: string, cmd: EngineBackupCommands, opts: Partial<BackupOptions>, e: Record<string, string> = primaryOnly): Promise<number> => timed(label, async () => {
            const b = await backupOnce(cmd, conf, e, { ...DEFAULT_BACKUP_OPTIONS, retention: DEFAULT_RETENTION, ...opts });
            if (b.dump.code !== 0 || b.upload.code !== 0) throw new Error(show(b.dump, b.upload));
            sizes[label] = /\nsize\t(\d+)/.exec(b.manifest ?? "")?.[1] ?? "?";
        }, () => new Promise((r) => setTimeout(r, 1100))); // one backup id per second
        const candidates: Array<[string, EngineBackupCommands, Partial<BackupOptions>]> = [
            ["ours: pg_dump -Fc -Z0 | zstd -3 -T0 | rclone (primary)", pgCommands(src, "app"), { zstdLevel: 3, zstdThreads: 0 }],
            ["ours: pg_dump -Fc -Z0 | zstd -3 -T1 | rclone (primary)", pgCommands(src, "app"), { zstdLevel: 3, zstdThreads: 1 }],
            ["ours: pg_dump -Fc -Z0 | zstd -1 -T0 | rclone (primary)", pgCommands(src, "app"), { zstdLevel: 1, zstdThreads: 0 }],
            ["ours: pg_dump -Fc (zlib) | zstd -1 -T0 | rclone (primary)", pgCommands(src, "app", { dumpCompression: "6" }), { zstdLevel: 1, zstdThreads: 0 }],
        ];
        const backupTimes: Record<string, number> = {};
        for (const [label, cmd, opts] of candidates) backupTimes[label] = await ours(label, cmd, opts);
        const chosen = candidates[0][0];
        const withCopy = await ours("ours, chosen, + verified copy to the secondary", candidates[0][1], candidates[0][2], env);
        const fileFirst = await timed("alternative: pg_dump -Z0 | zstd -3 -T0 > file, then rclone copyto", () => void sh(
            `pg_dump ${conn} -Fc -Z0 app | zstd -q -3 -T0 > ${dir}/dump.zst && rclone --config ${dir}/rc.conf copyto ${dir}/dump.zst primary:file-first.zst && rm ${dir}/dump.zst`,
        ), () => fs.writeFileSync(`${dir}/rc.conf`, conf));
        for (const [label] of candidates) console.log(`  compressed size, ${label}: ${(Number(sizes[label]) / 1e6).toFixed(1)} MB`);

        console.log("\n-- restore");
        sh(`pg_dump ${conn} -Fc -f ${dir}/raw.dump app`);
        console.log(`  local custom-format file (pg_dump -Fc -f): ${(fs.statSync(`${dir}/raw.dump`).size / 1e6).toFixed(1)} MB`);
        const rawRestore = await timed("raw: pg_restore -j 2 from a local file", () => void sh(`pg_restore ${dconn} -d app --exit-on-error -j 2 ${dir}/raw.dump`), fresh);
        // The latest backup on the primary is the chosen configuration's (the copy run).
        const restore = async (label: string, cmd: EngineBackupCommands): Promise<number> => timed(label, async () => {
            const r = await restoreOnce(cmd, conf, env, "primary", "latest");
            if (r.restore?.code !== 0) throw new Error(show(r.fetch, r.restore));
        }, fresh);
        const restoreFile = await restore("ours: fetch, verify, zstd -d > file, pg_restore -j 2", pgCommands(dst, "app", { jobs: 2 }));
        const restoreStream = await restore("ours: fetch, verify, zstd -d | pg_restore (1 job, streaming)", pgCommands(dst, "app", { jobs: 1 }));
        sh(`pg_dump ${conn} -Fc -Z0 app | cat > ${dir}/piped.dump`);
        const pipedFile = await timed("reference: pg_restore -j 2 from a file pg_dump wrote to a pipe", () => void sh(`pg_restore ${dconn} -d app --exit-on-error -j 2 ${dir}/piped.dump`), fresh);
        const rawStream = await timed("reference: pg_restore (1 job) from standard input", () => void sh(`pg_restore ${dconn} -d app --exit-on-error < ${dir}/raw.dump`), fresh);

        const bestRestore = Math.min(restoreFile, restoreStream);
        console.log("\n-- summary");
        console.log(`backup:  ${backupTimes[chosen].toFixed(2)} s vs raw dump ${rawDump.toFixed(2)} s  => ratio ${(backupTimes[chosen] / rawDump).toFixed(2)} (target <= 1.1)`);
        console.log(`         with the verified secondary copy ${withCopy.toFixed(2)} s (${(withCopy / rawDump).toFixed(2)}x); file first ${fileFirst.toFixed(2)} s (${(fileFirst / rawDump).toFixed(2)}x)`);
        console.log(`restore: ${bestRestore.toFixed(2)} s vs raw pg_restore -j 2 ${rawRestore.toFixed(2)} s  => ratio ${(bestRestore / rawRestore).toFixed(2)} (target <= 1.2)`);
        console.log(`         file + -j 2 ${restoreFile.toFixed(2)} s (${(restoreFile / rawRestore).toFixed(2)}x), streaming ${restoreStream.toFixed(2)} s (${(restoreStream / rawRestore).toFixed(2)}x);`
            + ` references: -j 2 from a piped file ${pipedFile.toFixed(2)} s, 1 job from stdin ${rawStream.toFixed(2)} s`);
    } finally {
        await Promise.all([swift?.stop(), src?.stop(), dst?.stop()]);
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
});
