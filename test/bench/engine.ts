/**
 * `npm run bench:engine`: pgbench's read/write test (TPC-B-like) on one PostgreSQL data
 * directory, started twice in the same run: once with stock settings (initdb's postgresql.conf)
 * and once with the engine definition's generated postgresql.conf for a flavor of this machine's
 * size (os.totalmem(), os.cpus()). Same data set (re-initialised before each run, larger than
 * stock shared_buffers), same clients, same duration. Prints both TPS and their ratio.
 *
 * Not a test: run as root (the server runs as the postgres user), with Debian's PostgreSQL 15
 * (scripts/test.sh installs it). Options: --scale N (default 50: ~750 MB), --clients N (8),
 * --seconds N (60), --rounds N (2: each configuration N times, the order alternating, medians
 * compared), --volume-gb N (100: the volume the WAL is sized for).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { engineOf, EngineInstance, resolveVersion } from "../../engines";
import { POSTGRESQL_INITDB_ARGS } from "../../engines/postgresql";
import { postgresqlSizing } from "../../engines/postgresql/settings";
import { clientEnv, PG_CLIENT_BIN } from "../support/engines/postgresql";
import { freePort, osUser, runOk, Sandbox, ServerProcess, testSecrets, waitFor } from "../support/engines/sandbox";

function option(name: string, fallback: number): number {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
    const scale = option("scale", 50);
    const clients = option("clients", 8);
    const seconds = option("seconds", 60);
    const volumeGb = option("volume-gb", 100);
    const rounds = option("rounds", 2);
    const threads = Math.min(clients, os.cpus().length);
    const size = { ramMb: Math.floor(os.totalmem() / (1024 * 1024)), vcpus: os.cpus().length };

    const user = osUser("postgres");
    const sandbox = new Sandbox("bench", user);
    const engine = engineOf("postgresql");
    const v = resolveVersion("postgresql", "15");
    if (!v.ok) throw new Error(v.message);
    const port = await freePort();
    const inst: EngineInstance = {
        database: "bench", mountpoint: sandbox.mountpoint, version: v.version, size, volumeGb, users: [], schemas: [], paths: sandbox.paths(port),
    };
    const service = engine.serviceTask(inst);
    sandbox.writeTaskFiles(service, testSecrets(engine.secretItems(inst)), engine.uid);
    const dataDir = engine.dataDir(inst);
    sandbox.engineDir(dataDir);
    const pwfile = sandbox.engineFile("pwfile", "bench-only\n");
    runOk(`${PG_CLIENT_BIN}/initdb`, ["-D", dataDir, "--username=postgres", `--pwfile=${pwfile}`, ...POSTGRESQL_INITDB_ARGS], { user: user.name });

    const sizing = postgresqlSizing(size, volumeGb);
    console.log(`flavor: ${size.vcpus} vCPUs, ${size.ramMb} MB RAM (engine budget ${sizing.memoryMb} MB); volume ${volumeGb} GB`);
    console.log(`generated: ${Object.entries(sizing.settings).map(([k, val]) => `${k}=${val}`).join(" ")}`);
    const pgbenchArgs = ["-h", sandbox.socketDir, "-p", String(port), "-U", "postgres"];
    console.log(`pgbench -i -s ${scale} -q; pgbench -c ${clients} -j ${threads} -T ${seconds} (read/write, TPC-B-like), over the socket`);

    const configs: Record<string, string[]> = {
        // Stock: initdb's own postgresql.conf (shared_buffers 128MB, max_wal_size 1GB...), only
        // where to listen overridden.
        stock: ["-D", dataDir, "-c", `port=${port}`, "-c", `unix_socket_directories=${sandbox.socketDir}`, "-c", "listen_addresses="],
        // Generated: the service task's command line and files.
        generated: [...service.args],
    };
    // Rounds alternate the order (stock first, then generated first...) so that a drift of the
    // machine's load over the run does not favour one side; the medians are compared.
    const results: Record<string, number[]> = { stock: [], generated: [] };
    const env = { ...clientEnv(), PGDATA: dataDir };
    for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? ["stock", "generated"] : ["generated", "stock"];
        for (const label of order) {
            const log = path.join(sandbox.logDir, `${label}.log`);
            const server = new ServerProcess(log, `${PG_CLIENT_BIN}/postgres`, configs[label], { user, env });
            try {
                await waitFor(`the ${label} server`, () => runOkQuiet("psql", [...pgbenchArgs, "-d", "postgres", "-c", "SELECT 1"], user.name, env));
                const shown = runOk("psql", [...pgbenchArgs, "-d", "postgres", "-Atc", "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name) FROM pg_settings WHERE name IN ('shared_buffers', 'max_wal_size', 'checkpoint_timeout', 'work_mem')"], { user: user.name, env }).stdout.trim();
                runOk("psql", [...pgbenchArgs, "-d", "postgres", "-c", "DROP DATABASE IF EXISTS pgbench", "-c", "CREATE DATABASE pgbench"], { user: user.name, env });
                runOk("pgbench", [...pgbenchArgs, "-i", "-s", String(scale), "-q", "pgbench"], { user: user.name, env, timeoutMs: 1_800_000 });
                runOk("psql", [...pgbenchArgs, "-d", "pgbench", "-c", "VACUUM ANALYZE", "-c", "CHECKPOINT"], { user: user.name, env, timeoutMs: 600_000 });
                const r = runOk("pgbench", [...pgbenchArgs, "-c", String(clients), "-j", String(threads), "-T", String(seconds), "pgbench"], { user: user.name, env, timeoutMs: (seconds + 600) * 1000 });
                const tps = Number(/tps = ([0-9.]+) \(without initial connection time\)/.exec(r.stdout)?.[1]);
                if (!Number.isFinite(tps)) throw new Error(`no TPS in pgbench's output:\n${r.stdout}`);
                results[label].push(tps);
                const latency = /latency average = ([0-9.]+ ms)/.exec(r.stdout)?.[1];
                console.log(`round ${round + 1} ${label.padEnd(9)} ${tps.toFixed(1)} TPS (latency ${latency})   [${shown}]`);
            } finally {
                await server.stop("SIGINT", 600);
            }
        }
    }
    const median = (xs: number[]): number => {
        const v = [...xs].sort((a, b) => a - b);
        return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    };
    const stock = median(results.stock);
    const generated = median(results.generated);
    console.log(`stock     median ${stock.toFixed(1)} TPS over ${rounds} runs`);
    console.log(`generated median ${generated.toFixed(1)} TPS over ${rounds} runs`);
    console.log(`ratio generated/stock: ${(generated / stock).toFixed(2)}`);
    fs.rmSync(sandbox.root, { recursive: true, force: true });
}

function runOkQuiet(cmd: string, args: string[], user: string, env: NodeJS.ProcessEnv): boolean {
    try {
        runOk(cmd, args, { user, env });
        return true;
    } catch {
        return false;
    }
}

main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
});
