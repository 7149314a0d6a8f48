/**
 * The engine definitions as pure functions: version resolution, sizing, and the task specs'
 * invariants (no secret outside a secret file, nothing Nomad would interpolate, every secret
 * item declared, shellcheck-clean scripts). The real engines run in engines-postgresql.test.ts
 * and engines-mariadb.test.ts.
 */
import * as assert from "node:assert";
import { spawnSync } from "node:child_process";
import { ENGINE_NAMES, ENGINES, EngineInstance, EngineName, resolveVersion, taskSecrets, TaskSpec } from "../engines";
import { engineMemoryMb } from "../engines/common";
import { mariadbSizing } from "../engines/mariadb/settings";
import { postgresqlSizing } from "../engines/postgresql/settings";
import { requireTool } from "./support/exec";

function ok(engine: EngineName, text: string) {
    const r = resolveVersion(engine, text);
    if (!r.ok) throw new Error(r.message);
    return r.version;
}

function refused(engine: EngineName, text: string): string {
    const r = resolveVersion(engine, text);
    assert.ok(!r.ok, `${engine} ${text} was accepted`);
    return r.message;
}

function instanceOf(engine: EngineName, over: Partial<EngineInstance> = {}): EngineInstance {
    return {
        database: "my-first-db",
        mountpoint: "/srv/my-first-db",
        version: ok(engine, ENGINES[engine].versions[0]),
        size: { ramMb: 4096, vcpus: 2 },
        volumeGb: 20,
        users: [{ name: "reporting", access: "read" }, { name: "app_writer", access: "write" }],
        schemas: ["app", "audit_log"],
        ...over,
    };
}

function tasks(engine: EngineName, inst: EngineInstance): [string, TaskSpec][] {
    const e = ENGINES[engine];
    return [["service", e.serviceTask(inst)], ["wait", e.waitTask(inst)], ["configure", e.configureTask(inst)], ["sql", e.sqlTask(inst, "/local/payload.sql")]];
}

describe("engines: versions", () => {
    it("offers PostgreSQL 15-18 and MariaDB 10.11, 11.4, 11.8, with their images", () => {
        assert.deepEqual(ENGINES.postgresql.versions, ["15", "16", "17", "18"]);
        assert.deepEqual(ENGINES.mariadb.versions, ["10.11", "11.4", "11.8"]);
        assert.equal(ENGINES.postgresql.image, "docker.io/library/postgres");
        assert.equal(ENGINES.mariadb.image, "docker.io/library/mariadb");
    });

    it("resolves a major or series to the pinned minor and its image tag", () => {
        assert.deepEqual(ok("postgresql", "16"), { major: "16", minor: "16.14", pinnedByProgram: true, imageTag: "16.14-trixie", image: "docker.io/library/postgres:16.14-trixie" });
        assert.equal(ok("postgresql", "18").image, "docker.io/library/postgres:18.4-trixie");
        assert.equal(ok("postgresql", "15").minor, "15.18");
        assert.equal(ok("postgresql", "17").minor, "17.10");
        assert.deepEqual(ok("mariadb", "11.4"), { major: "11.4", minor: "11.4.14", pinnedByProgram: true, imageTag: "11.4.14-noble", image: "docker.io/library/mariadb:11.4.14-noble" });
        assert.equal(ok("mariadb", "10.11").image, "docker.io/library/mariadb:10.11.20-jammy");
        assert.equal(ok("mariadb", "11.8").image, "docker.io/library/mariadb:11.8.10-noble");
    });

    it("pins an exact minor as given, older or newer than the program's pin", () => {
        assert.deepEqual(ok("postgresql", "16.9"), { major: "16", minor: "16.9", pinnedByProgram: false, imageTag: "16.9-trixie", image: "docker.io/library/postgres:16.9-trixie" });
        assert.equal(ok("postgresql", "18.7").imageTag, "18.7-trixie");
        assert.equal(ok("mariadb", "11.4.5").imageTag, "11.4.5-noble");
        assert.equal(ok("mariadb", "10.11.9").image, "docker.io/library/mariadb:10.11.9-jammy");
    });

    it("refuses end-of-life versions, naming the date and the accepted versions", () => {
        for (const v of ["14", "14.23"]) {
            const m = refused("postgresql", v);
            assert.match(m, /PostgreSQL 14 reached its end of life on 2026-11-12/);
            assert.match(m, /accepted versions are 15, 16, 17, 18 \(or an exact minor release of one of them, such as "18\.4"\)/);
        }
        for (const v of ["10.6", "10.6.28"]) {
            const m = refused("mariadb", v);
            assert.match(m, /MariaDB 10\.6 reached its end of life on 2026-07-06/);
            assert.match(m, /accepted versions are 10\.11, 11\.4, 11\.8/);
        }
    });

    it("refuses what is not a version of the engine, or a minor older than the image variant", () => {
        for (const v of ["", "16.", "16.x", "v16", "16.4.1", " 16", "016", "9.6", "19", "latest", "16-alpine"]) assert.match(refused("postgresql", v), /accepted versions are 15, 16, 17, 18/, v);
        for (const v of ["11", "11.4.x", "11.4.1.2", "10.5", "12.2", "11.4 "]) assert.match(refused("mariadb", v), /accepted versions are 10\.11, 11\.4, 11\.8/, v);
        assert.match(refused("postgresql", "16.4"), /older than 16\.9.*"trixie".*use 16\.9 or later, or "16" \(16\.14\)/);
        assert.match(refused("mariadb", "11.4.1"), /older than 11\.4\.2/);
    });

    it("keeps the registry's shape: one definition per name, ports, clean shutdown", () => {
        for (const e of ENGINE_NAMES) assert.equal(ENGINES[e].name, e);
        assert.deepEqual(ENGINES.postgresql.cleanShutdown, { signal: "SIGINT", seconds: 600 });
        assert.deepEqual(ENGINES.mariadb.cleanShutdown, { signal: "SIGTERM", seconds: 600 });
        assert.equal(ENGINES.postgresql.port, 5432);
        assert.equal(ENGINES.mariadb.port, 3306);
    });
});

describe("engines: sizing from the flavor", () => {
    const flavors = [
        { ramMb: 1024, vcpus: 1 },
        { ramMb: 4096, vcpus: 2 },
        { ramMb: 24576, vcpus: 2 },
        { ramMb: 65536, vcpus: 16 },
        { ramMb: 262144, vcpus: 64 },
    ];

    it("leaves the node what it keeps (768 MB, and 256 MB for a batch task), as the job builders reserve it", () => {
        assert.deepEqual(flavors.map(engineMemoryMb), [256, 3072, 23552, 64512, 261120]);
    });

    it("PostgreSQL: shared_buffers a quarter, connections and work_mem within bounds, parallelism from the vCPUs", () => {
        const rows = flavors.map((f) => postgresqlSizing(f, 100).settings);
        assert.deepEqual(rows.map((s) => s.shared_buffers), ["64MB", "768MB", "5888MB", "16128MB", "65280MB"]);
        assert.deepEqual(rows.map((s) => s.max_connections), [50, 307, 500, 500, 500]);
        assert.deepEqual(rows.map((s) => s.work_mem), ["4MB", "4MB", "11MB", "32MB", "64MB"]);
        assert.deepEqual(rows.map((s) => s.maintenance_work_mem), ["16MB", "192MB", "1472MB", "2GB", "2GB"]);
        assert.deepEqual(rows.map((s) => s.max_parallel_workers_per_gather), [0, 1, 1, 4, 4]);
        assert.deepEqual(rows.map((s) => s.max_worker_processes), [8, 8, 8, 20, 68]);
        // Memory the settings can claim at once stays inside the budget on every flavor.
        for (const [i, f] of flavors.entries()) {
            const z = postgresqlSizing(f, 100);
            const mbOf = (v: string | number) => (String(v).endsWith("GB") ? parseInt(String(v), 10) * 1024 : parseInt(String(v), 10));
            const worst = z.sharedBuffersMb + 3 * mbOf(z.settings.maintenance_work_mem) + (z.settings.max_connections as number) * 2;
            assert.ok(worst < z.memoryMb, `flavor ${i}: ${worst} MB > ${z.memoryMb} MB`);
        }
    });

    it("PostgreSQL: the WAL within a tenth of the volume, from 1GB to 16GB", () => {
        assert.deepEqual([5, 10, 50, 100, 1000].map((gb) => postgresqlSizing(flavors[1], gb).settings.max_wal_size), ["1GB", "1GB", "5GB", "10GB", "16GB"]);
        assert.equal(postgresqlSizing(flavors[1], 100).settings.min_wal_size, "2560MB");
    });

    it("MariaDB: the buffer pool half (small) to 70 % of the budget, the redo log a quarter of it within 5 % of the volume", () => {
        const rows = flavors.map((f) => mariadbSizing(f, 100));
        assert.deepEqual(rows.map((s) => s.bufferPoolMb), [128, 2048, 16384, 45056, 182784]);
        assert.deepEqual(rows.map((s) => s.settings.innodb_log_file_size), ["96M", "512M", "4096M", "4096M", "4096M"]);
        assert.equal(mariadbSizing(flavors[2], 10).settings.innodb_log_file_size, "512M");
    });

    it("gives a clean shutdown time that grows with the buffers, 60 s to 10 min", () => {
        assert.deepEqual(flavors.map((f) => postgresqlSizing(f, 100).stopSeconds), [60, 60, 122, 282, 600]);
        assert.deepEqual(flavors.map((f) => mariadbSizing(f, 100).stopSeconds), [60, 62, 286, 600, 600]);
    });
});

describe("engines: task specs", () => {
    for (const engine of ENGINE_NAMES) {
        const e = ENGINES[engine];
        const inst = instanceOf(engine);

        it(`${engine}: one data directory per release line on the volume`, () => {
            for (const v of e.versions) assert.equal(e.dataDir({ ...inst, version: ok(engine, v) }), `/srv/my-first-db/${engine}/${v}`);
            assert.equal(e.dataDir({ ...inst, version: ok(engine, e.releases[0].oldestMinor) }), `/srv/my-first-db/${engine}/${e.versions[0]}`);
        });

        it(`${engine}: the service task runs the resolved image with its clean-shutdown signal, the data and socket volumes, and a health check`, () => {
            const s = e.serviceTask(inst);
            assert.equal(s.image, inst.version.image);
            assert.equal(s.killSignal, engine === "postgresql" ? "SIGINT" : "SIGTERM");
            assert.ok(s.killTimeoutSeconds! >= 60);
            assert.deepEqual(s.volumes, [{ volume: "data", destination: "/srv/my-first-db" }, { volume: "socket", destination: e.socketDir }]);
            assert.equal(s.port, e.port);
            assert.ok(s.healthCheck);
            assert.equal(s.memoryMb, engineMemoryMb(inst.size));
        });

        it(`${engine}: the socket volume may be mounted at the node's path (the image's own directory still serves the entrypoint)`, () => {
            const atNode = instanceOf(engine, { paths: { socketDir: "/run/dbaas/my-first-db" } });
            const s = e.serviceTask(atNode);
            assert.deepEqual(s.volumes[1], { volume: "socket", destination: "/run/dbaas/my-first-db" });
            const conf = s.files.find((f) => f.destination === (engine === "postgresql" ? "local/postgresql.conf" : "local/my.cnf"))!;
            assert.ok("content" in conf);
            if (engine === "postgresql") assert.match(conf.content, /^unix_socket_directories = '\/run\/dbaas\/my-first-db, \/var\/run\/postgresql'/m);
            else assert.match(conf.content, /^socket = \/run\/dbaas\/my-first-db\/mysqld\.sock/m);
        });

        it(`${engine}: every task uses the same image and mounts the socket volume`, () => {
            for (const [name, t] of tasks(engine, inst)) {
                assert.equal(t.image, inst.version.image, name);
                assert.ok(t.volumes.some((v) => v.volume === "socket" && v.destination === e.socketDir), name);
            }
        });

        it(`${engine}: nothing secret outside secret files, nothing Nomad would interpolate, every secret item declared`, () => {
            const declared = e.secretItems(inst).map((i) => i.name);
            assert.deepEqual(declared.filter((n) => n.endsWith("_password")), ["admin_password", "owner_password", "user_reporting_password", "user_app_writer_password"]);
            for (const [name, t] of tasks(engine, inst)) {
                for (const s of taskSecrets(t)) assert.ok(declared.includes(s), `${name}: ${s} is not declared`);
                for (const f of t.files) {
                    if ("content" in f) {
                        assert.ok(f.destination.startsWith("local/"), f.destination);
                        assert.ok(!f.content.includes("{{"), `${f.destination} holds {{`);
                    } else assert.ok(f.destination.startsWith("secrets/"), f.destination);
                }
                const text = JSON.stringify([t.command, t.args, t.env, t.entrypoint, t.healthCheck]);
                assert.ok(!text.includes("${"), `${name}: Nomad would interpolate ${text}`);
                assert.ok(!/password=|PASSWORD=/.test(JSON.stringify(t.env)), `${name}: a password in the environment`);
            }
            // What the tasks read, all of it declared and nothing more: the program fills exactly these.
            const used = new Set(tasks(engine, inst).flatMap(([, t]) => taskSecrets(t)));
            assert.deepEqual([...used].sort(), [...declared].sort());
        });

        it(`${engine}: the private key is the engine user's alone`, () => {
            const key = e.serviceTask(inst).files.find((f) => "secret" in f && f.secret === "tls_key")!;
            assert.equal(key.perms, "0600");
            assert.equal(key.uid, e.uid);
        });

        it(`${engine}: user and schema names`, () => {
            assert.equal(e.checkUserName("reporting", "my-first-db"), undefined);
            assert.equal(e.checkSchemaName("app", "my-first-db"), undefined);
            assert.match(e.checkUserName("Bad-Name", "my-first-db")!, /lowercase letters/);
            assert.match(e.checkUserName("my-first-db", "my-first-db")!, /lowercase|owner/);
            assert.match(e.checkUserName(engine === "postgresql" ? "postgres" : "root", "x")!, /reserved/);
            assert.match(e.checkSchemaName("information_schema", "x")!, /reserved/);
        });

        it(`${engine}: the generated shell scripts pass shellcheck`, () => {
            requireTool("shellcheck", "shellcheck");
            const many = instanceOf(engine, { users: [], schemas: [] });
            for (const i of [inst, many]) {
                for (const [name, t] of tasks(engine, i)) {
                    for (const f of t.files) {
                        if (!("content" in f) || !f.content.startsWith("#!/bin/bash")) continue;
                        const r = spawnSync("shellcheck", ["-s", "bash", "-"], { input: f.content, encoding: "utf8" });
                        assert.equal(r.status, 0, `${name} ${f.destination}:\n${r.stdout}`);
                    }
                }
            }
        });
    }

    it("backup and restore commands: PostgreSQL's parallel restore needs a file", () => {
        const inst = instanceOf("postgresql");
        assert.deepEqual(ENGINES.postgresql.backupCommand(inst).argv.slice(0, 2), ["pg_dump", "--format=custom"]);
        assert.throws(() => ENGINES.postgresql.restoreCommand(inst, { jobs: 4 }), /needs a file/);
        assert.ok(ENGINES.postgresql.restoreCommand(inst, { file: "/backup/x.dump", jobs: 4 }).argv.includes("--jobs"));
        const m = ENGINES.mariadb.backupCommand(instanceOf("mariadb")).argv;
        for (const flag of ["--single-transaction", "--routines", "--triggers", "--events"]) assert.ok(m.includes(flag), flag);
    });
});
