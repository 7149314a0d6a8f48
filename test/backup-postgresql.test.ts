/**
 * The backup and restore jobs' scripts against a real PostgreSQL 15 and the real Swift: a
 * pgbench (scale 20) database is backed up (dump task + upload task through the named pipe,
 * segmented upload, crypt, manifest, verified copy to the secondary), then restored into a
 * fresh server: every table's row count and checksum match. Then the failures: a corrupt
 * object, two kinds of truncation, a wrong key, a failing dump — each fails naming the object,
 * and no restore touches the database.
 */
import { strict as assert } from "node:assert";
import * as fs from "fs";
import * as path from "path";
import { parseManifest, Manifest, SECRET_ITEMS, obscure } from "../backups";
import { useSwift } from "./support/swift";
import { must, PG_BIN, pgTableDigests, startPostgres } from "./support/postgres";
import { backupOnce, jobEnv, newSecrets, pgCommands, pgCommandsSnapshot, restoreOnce, Secrets, show, testRcloneConf, useServerPair } from "./support/backupFixture";
import { run } from "./support/exec";
import { spawn } from "child_process";

const CONTAINER = "db-app";
const CHUNK = "512K"; // small segments: the ~2 MB compressed dump is a segmented (DLO) object

describe("backups: PostgreSQL 15 to Swift and back", function () {
    this.timeout(300_000);
    const swift = useSwift();
    const [src, dst] = useServerPair(startPostgres);
    let secrets: Secrets;
    let conf: string;
    let source: Record<string, string>;
    let first: Manifest;
    const env = jobEnv("app", "postgresql", "15");

    before(async function () {
        src().psql("postgres", "CREATE DATABASE app");
        must(`${PG_BIN}/pgbench`, ["-i", "-s", "20", "-q", ...src().connArgs, "app"]);
        src().psql("app", "CREATE TABLE \"odd name\" (id int PRIMARY KEY, t text, j jsonb); INSERT INTO \"odd name\" SELECT g, repeat('é', g % 50), jsonb_build_object('g', g) FROM generate_series(1, 5000) g");
        source = pgTableDigests(src(), "app");
        secrets = newSecrets(swift());
        conf = testRcloneConf(swift(), CONTAINER, secrets, CHUNK);
    });

    /** A fresh, empty `app` database on the restore server. */
    function freshTarget(): void {
        dst().psql("postgres", "DROP DATABASE IF EXISTS app WITH (FORCE)");
        dst().psql("postgres", "CREATE DATABASE app");
    }
    function targetTables(): number {
        return Number(dst().psql("app", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").trim());
    }
    async function backup(cmd = pgCommands(src(), "app")): Promise<Manifest> {
        const b = await backupOnce(cmd, conf, env);
        assert.equal(b.dump.code, 0, show(b.dump, b.upload));
        assert.equal(b.upload.code, 0, show(b.dump, b.upload));
        return parseManifest(b.manifest ?? "");
    }
    function rclone(args: string[], c = conf): string {
        const file = path.join(swift().dir, "test-rclone.conf");
        fs.writeFileSync(file, c);
        const r = run("rclone", ["--config", file, ...args]);
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
    }
    /** The raw (encrypted) segments of a data object, in order. */
    function segments(object: string): string[] {
        const enc = rclone(["cryptdecode", "--reverse", "primary:", object]).trim().split(/\s+/).pop()!;
        return swift().swift(swift().primary, ["list", `${CONTAINER}_segments`, "--prefix", `${enc}/`]).split("\n").filter(Boolean).sort();
    }

    it("backs up: a segmented, encrypted object and a manifest with the stream's size and sha256 and the source's row counts", async () => {
        first = await backup();
        assert.equal(first.engine, "postgresql");
        assert.equal(first.database, "app");
        assert.equal(first.version, "15");
        const counts = Object.fromEntries(Object.entries(source).map(([t, d]) => [t, Number(d.split(" ")[0])]));
        assert.deepEqual(first.rows, counts);
        // The checksum is of the compressed plaintext stream: what rclone returns once decrypted.
        rclone(["lsf", "primary:"]); // writes the config file
        const back = run("sh", ["-c", `rclone --config "$0" cat primary:${first.object} | sha256sum`, path.join(swift().dir, "test-rclone.conf")]);
        assert.equal(back.stdout.split(" ")[0], first.sha256);
        assert.equal(Number(rclone(["lsf", "--format", "s", `primary:${first.object}`]).trim()), first.size);
        const segs = segments(first.object);
        assert.ok(segs.length >= 3, `expected a segmented upload, got ${segs.length} segment(s)`);
        const raw = path.join(swift().dir, "segment0");
        swift().swift(swift().primary, ["download", `${CONTAINER}_segments`, segs[0], "-o", raw]);
        assert.equal(fs.readFileSync(raw).subarray(0, 8).toString("latin1"), "RCLONE\0\0", "what Swift holds is rclone crypt's format");
        assert.doesNotMatch(swift().swift(swift().primary, ["list", CONTAINER]), /app-/, "object names are encrypted too");
        // The copy on the secondary is there, with its manifest.
        assert.deepEqual(rclone(["lsf", "secondary:"]).trim().split("\n").sort(), [`${first.id}.manifest`, first.object]);
    });

    it("restores the latest backup into a fresh server (streaming into pg_restore): every table's row count and checksum match", async () => {
        freshTarget();
        const r = await restoreOnce(pgCommands(dst(), "app"), conf, env, "primary", "latest");
        assert.equal(r.restore?.code, 0, show(r.fetch, r.restore));
        assert.deepEqual(pgTableDigests(dst(), "app"), source);
    });

    it("restores a named backup, decompressed to a file for pg_restore -j 2; the day's older backup was pruned", async () => {
        src().psql("app", "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) SELECT 1, 1, g, g, now() FROM generate_series(1, 1000) g");
        const changed = pgTableDigests(src(), "app");
        const second = await backup();
        assert.equal(second.rows["public.pgbench_history"], 1000);
        assert.ok(second.id > first.id);
        // Retention (7 daily, 4 weekly) keeps the newest backup of a day: the first one is gone, on both clouds.
        for (const remote of ["primary", "secondary"]) {
            assert.deepEqual(rclone(["lsf", `${remote}:`]).trim().split("\n").sort(), [`${second.id}.manifest`, second.object]);
        }
        freshTarget();
        const r = await restoreOnce(pgCommands(dst(), "app", { jobs: 2 }), conf, env, "primary", second.id);
        assert.equal(r.restore?.code, 0, show(r.fetch, r.restore));
        assert.deepEqual(pgTableDigests(dst(), "app"), changed);
        first = second;
        source = changed;
    });

    it("restores the secondary copy on its own (the secondary cloud's config only)", async () => {
        freshTarget();
        const only = testRcloneConf(swift(), CONTAINER, secrets, CHUNK, ["secondary"]);
        assert.doesNotMatch(only, /primary/);
        const r = await restoreOnce(pgCommands(dst(), "app"), only, env, "secondary", "latest");
        assert.equal(r.restore?.code, 0, show(r.fetch, r.restore));
        assert.deepEqual(pgTableDigests(dst(), "app"), source);
    });

    /** Restores `backup` and expects a failure, before anything reached the database, that names `object`. */
    async function failsNaming(backupName: string, object: string, pattern: RegExp, c = conf): Promise<void> {
        freshTarget();
        const r = await restoreOnce(pgCommands(dst(), "app"), c, env, "primary", backupName);
        const failed = r.restore ?? r.fetch;
        assert.notEqual(failed.code, 0, show(r.fetch, r.restore));
        assert.ok(failed.stderr.includes(object), `the error names ${object}:\n${show(r.fetch, r.restore)}`);
        assert.match(failed.stderr, pattern);
        if (r.restore) assert.doesNotMatch(r.restore.stderr, /restoring/);
        assert.equal(targetTables(), 0, "the database was not touched");
    }

    it("fails naming the object on a corrupt object (a flipped byte in a segment: crypt's authentication)", async () => {
        const m = await backup();
        const seg = segments(m.object)[1];
        const file = path.join(swift().dir, "seg");
        swift().swift(swift().primary, ["download", `${CONTAINER}_segments`, seg, "-o", file]);
        const bytes = fs.readFileSync(file);
        bytes[1000] ^= 0x01;
        fs.writeFileSync(file, bytes);
        swift().swift(swift().primary, ["upload", `${CONTAINER}_segments`, file, "--object-name", seg]);
        await failsNaming(m.id, `primary:${m.object}`, /cannot fetch backup object/);
    });

    it("fails naming the object when a segment is lost (truncated mid-block: does not decrypt)", async () => {
        const m = await backup();
        const segs = segments(m.object);
        swift().swift(swift().primary, ["delete", `${CONTAINER}_segments`, segs[segs.length - 1]]);
        await failsNaming(m.id, `primary:${m.object}`, /cannot fetch backup object/);
    });

    it("fails naming the object when it is truncated at a crypt block boundary (decrypts; the size and checksum catch it)", async () => {
        const m = await backup();
        const segs = segments(m.object);
        const file = path.join(swift().dir, "seg");
        swift().swift(swift().primary, ["download", `${CONTAINER}_segments`, segs[0], "-o", file]);
        fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 32 + 4 * (65536 + 16))); // header + 4 whole blocks
        swift().swift(swift().primary, ["upload", `${CONTAINER}_segments`, file, "--object-name", segs[0]]);
        for (const s of segs.slice(1)) swift().swift(swift().primary, ["delete", `${CONTAINER}_segments`, s]);
        await failsNaming(m.id, `primary:${m.object}`, /262144 bytes, its manifest says \d+: truncated or corrupt; the database was not touched/);
    });

    it("fails naming the object with the wrong key (and finds no backup at all for latest)", async () => {
        const wrong = testRcloneConf(swift(), CONTAINER, { ...secrets, [SECRET_ITEMS.cryptPassword("primary")]: obscure("not the key") }, CHUNK);
        const m = await backup();
        await failsNaming(m.id, `primary:${m.id}.manifest`, /wrong crypt key/, wrong);
        freshTarget();
        const r = await restoreOnce(pgCommands(dst(), "app"), wrong, env, "primary", "latest");
        assert.notEqual(r.fetch.code, 0);
        assert.match(r.fetch.stderr, /no complete backup of app on primary \(none yet, or a wrong crypt key/);
    });

    it("with the dump's own snapshot (the dump command counts), the manifest's counts are the dumped data's under concurrent writes", async () => {
        const script = path.join(swift().dir, "insert.sql");
        fs.writeFileSync(script, "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, 1, now());\n");
        const writer = spawn(`${PG_BIN}/pgbench`, ["-n", "-c", "2", "-T", "8", "-f", script, ...src().connArgs, "app"], { stdio: "ignore" });
        const wrote = new Promise<number | null>((resolve) => writer.on("exit", resolve));
        await new Promise((r) => setTimeout(r, 1000));
        const m = await backup(pgCommandsSnapshot(src(), "app"));
        assert.equal(await wrote, 0, "pgbench wrote beside the backup");
        const history = Number(src().psql("app", "SELECT count(*) FROM pgbench_history").trim());
        assert.ok(history > m.rows["public.pgbench_history"], `writes went on after the dump's snapshot (${history} rows now, ${m.rows["public.pgbench_history"]} counted)`);
        assert.ok(m.rows["public.pgbench_history"] > 1000, "and before it");
        freshTarget();
        const r = await restoreOnce(pgCommands(dst(), "app"), conf, env, "primary", m.id);
        assert.equal(r.restore?.code, 0, show(r.fetch, r.restore));
        const restored = Object.fromEntries(Object.entries(pgTableDigests(dst(), "app")).map(([t, d]) => [t, Number(d.split(" ")[0])]));
        assert.deepEqual(restored, m.rows);
    });

    it("a dump that fails mid-stream leaves no backup: the upload task removes the object and writes no manifest", async () => {
        const before = rclone(["lsf", "primary:"]);
        const good = pgCommands(src(), "app");
        const bad = { ...good, dump: ["sh", "-c", "\"$@\"; exit 3", "dump", ...good.dump] }; // the whole dump, then a failure
        const b = await backupOnce(bad, conf, env);
        assert.notEqual(b.dump.code, 0);
        assert.notEqual(b.upload.code, 0);
        assert.equal(b.manifest, undefined);
        assert.match(b.dump.stderr, /dump \| zstd \| upload stream failed \(exit 3\)/);
        assert.match(b.upload.stderr, /the dump task failed: dump \| zstd \| upload stream failed \(exit 3\).*; removing primary:app-\d{8}T\d{6}Z\.zst/);
        assert.equal(rclone(["lsf", "primary:"]), before);
    });
});
