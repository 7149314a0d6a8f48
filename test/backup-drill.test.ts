/**
 * The restore drill, a new database's first restore and the backups listing, run as their
 * Nomad jobs run them, against a real Swift all-in-one and real PostgreSQL 15 servers:
 * - the drill: the fetch task, the engine's throw-away server (its scratch script, as root,
 *   data in a temporary directory, no TCP), the drill task (verify, prepare, restore, count,
 *   compare with the manifest) and the record task (a stand-in `consul` that records what it
 *   is asked); a passing drill, a drill against a manifest whose counts are wrong, a drill with
 *   nothing to fetch: each records its result;
 * - `dbaas:restoreFrom`: the engine's fresh restore into a server that has neither the
 *   database nor its owner: both are created, every object belongs to the owner (no login
 *   until the configure job), the mark is left, a second run does nothing; the configure
 *   task's gate refuses to run without the mark;
 * - the listing job's script: every backup with its manifest, read back by the tool's parser.
 */
import { strict as assert } from "node:assert";
import * as fs from "fs";
import * as path from "path";
import { ENV, listScript, parseManifest, SCRIPT_FILES } from "../backups";
import { configureJob } from "../jobs";
import { parseListing } from "../cli/backupList";
import { useSwift } from "./support/swift";
import { must, PG_BIN, pgTableDigests, startPostgres } from "./support/postgres";
import { backupOnce, jobEnv, newSecrets, pgCommands, pgEngineSpec, restoreOnce, show, testRcloneConf, useServerPair } from "./support/backupFixture";
import { newAlloc, runTask, taskEnv } from "./support/jobs";
import { drillOnce } from "./support/drill";
import { run } from "./support/exec";

const DB = "app";

describe("backups: the restore drill, a new database's first restore, the listing (PostgreSQL 15, Swift)", function () {
    this.timeout(300_000);
    const env = jobEnv(DB, "postgresql", "15.18", { [ENV.secondary]: "0" });
    const swift = useSwift();
    const [src, dst] = useServerPair(startPostgres);
    let conf: string;
    let source: Record<string, string>;

    before(() => {
        src().psql("postgres", `CREATE DATABASE ${DB}`);
        must(`${PG_BIN}/pgbench`, ["-i", "-s", "2", "-q", ...src().connArgs, DB]);
        src().psql(DB, "CREATE SCHEMA sales; CREATE TABLE sales.orders (id int PRIMARY KEY, note text); INSERT INTO sales.orders SELECT g, 'n' || g FROM generate_series(1, 777) g");
        source = pgTableDigests(src(), DB);
        conf = testRcloneConf(swift(), "app-backups", newSecrets(swift()), "1M", ["primary"]);
        swift().swift(swift().primary, ["post", "app-backups"]); // the stack creates the container

    });

    it("with nothing to fetch, the drill still runs and records the failure, naming it", async () => {
        const d = await drillOnce("postgresql", conf, env, swift().dir);
        assert.equal(d.fetch.code, 0, "a failed fetch does not stop the allocation");
        assert.notEqual(d.drill?.code, 0);
        assert.equal(d.record.code, 0, show(d.record));
        assert.equal(d.result["result"], "failed");
        assert.match(String(d.result["message"]), /the latest backup could not be fetched: restore fetch: no complete backup of app on primary/);
        assert.match(d.consul, new RegExp(`^kv put dbaas/databases/${DB}/restore-drill @.*/drill/result\\n\\{"result":"failed"`));
    });

    it("backs up with the engine's own dump (row counts in its snapshot); the drill restores it into a throw-away server and passes", async () => {
        const b = await backupOnce({ ...pgEngineSpec(src(), DB) }, conf, env);
        assert.equal(b.upload.code, 0, show(b.dump, b.upload));
        const m = parseManifest(b.manifest ?? "");
        assert.deepEqual(m.rows, Object.fromEntries(Object.entries(source).map(([t, d]) => [t, Number(d.split(" ")[0])])));
        const d = await drillOnce("postgresql", conf, env, swift().dir);
        assert.equal(d.drill?.code, 0, show(d.fetch, d.drill));
        assert.equal(d.result["result"], "passed", JSON.stringify(d.result));
        assert.equal(d.result["backup"], m.id);
        assert.equal(d.result["tables"], 5);
        assert.equal(d.result["rows"], 200_000 + 2 + 20 + 777);
        assert.equal(d.result["backupFinished"], m.finished);
        assert.match(d.consul, new RegExp(`"result":"passed","database":"${DB}","backup":"${m.id}"`));
    });

    it("a manifest whose counts are not the data's fails the drill, and the failure is recorded", async () => {
        const plain = pgCommands(src(), DB);
        const lying = { ...plain, rowCounts: ["sh", "-c", "printf 'public.pgbench_accounts\\t1\\n'"] };
        const b = await backupOnce(lying, conf, env);
        assert.equal(b.upload.code, 0, show(b.dump, b.upload));
        const d = await drillOnce("postgresql", conf, env, swift().dir);
        assert.notEqual(d.drill?.code, 0);
        assert.equal(d.result["result"], "failed");
        assert.match(String(d.result["message"]), /row counts differ from the manifest/);
        assert.match(d.consul, /"result":"failed"/);
    });

    it("restoreFrom: creates the owner (no login) and the database, restores every object as the owner's, leaves the mark; a second run does nothing", async () => {
        const good = await backupOnce(pgEngineSpec(src(), DB), conf, env);
        const id = parseManifest(good.manifest ?? "").id;
        const spec = pgEngineSpec(dst(), DB);
        const mark = path.join(swift().dir, "restored-mark");
        const e = { ...env, [ENV.restoreMark]: mark };
        const cmd = { engine: spec.engine, dump: spec.dump, restore: spec.fresh.restore };
        const r = await restoreOnce(cmd, conf, e, "primary", id, { prepare: spec.fresh.prepare! });
        assert.equal(r.restore?.code, 0, show(r.fetch, r.restore));
        assert.deepEqual(pgTableDigests(dst(), DB), source);
        assert.equal(dst().psql("postgres", `SELECT rolcanlogin FROM pg_roles WHERE rolname = '${DB}'`).trim(), "f", "the owner exists, without login until configure");
        assert.equal(dst().psql(DB, "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables WHERE schemaname IN ('public', 'sales')").trim(), DB);
        assert.match(fs.readFileSync(mark, "utf8"), new RegExp(`^primary:${id}\\.zst \\d{4}-`));
        const again = await restoreOnce(cmd, conf, e, "primary", id, { prepare: spec.fresh.prepare! });
        assert.equal(again.restore?.code, 0, show(again.fetch, again.restore));
        assert.match(again.fetch.stderr, /restored already/);
        assert.match(again.restore?.stderr ?? "", /restored already.*nothing to do/);
    });

    it("the configure task of a restoreFrom stack runs only once the mark exists", () => {
        const wait = { image: "x", args: [], env: {}, files: [], volumes: [] };
        const task = { image: "x", command: "true", args: [], env: {}, files: [], volumes: [] };
        const mark = path.join(swift().dir, "gate-mark");
        const job = configureJob({ database: DB, datacenter: "dc1", region: "global" }, {
            wait, task, inputsFingerprint: "f",
            restoreFirst: { target: { spec: pgEngineSpec(dst(), DB), image: "x", version: "15.18", socketDir: "/s", stores: { primary: { auth: { kind: "tempauth", authUrl: "http://x", user: "u" }, container: "c", chunkSize: "1M" } } }, sourceDatabase: DB, cloud: "primary", backup: "latest", mountpoint: "/srv/app", mark },
        });
        const configure = (job.Job["TaskGroups"] as { Tasks: { Name: string; Config: { command: string; args: string[] } }[] }[])[0]!.Tasks.find((t) => t.Name === "configure")!;
        fs.rmSync(mark, { force: true });
        const without = run(configure.Config.command, configure.Config.args);
        assert.equal(without.status, 1);
        assert.match(without.stderr, /the restore of primary:latest did not succeed .*no account is created/);
        fs.writeFileSync(mark, "done\n");
        assert.equal(run(configure.Config.command, configure.Config.args).status, 0);
    });

    it("the listing job prints every backup with its manifest, newest first", async () => {
        const alloc = newAlloc();
        try {
            const dir = alloc.task("list", { [SCRIPT_FILES.list]: listScript() }, conf);
            const r = await runTask("list", "rclone", dir, SCRIPT_FILES.list, taskEnv(alloc, dir, "rclone", { ...env, [ENV.restoreRemote]: "primary" })).done;
            assert.equal(r.code, 0, show(r));
            const listing = parseListing(r.stdout);
            assert.ok(listing.backups.length >= 1, r.stdout);
            assert.deepEqual(listing.unreadable, []);
            assert.ok(listing.backups.every((m) => m.database === DB && m.engine === "postgresql"));
            const ids = listing.backups.map((m) => m.id);
            assert.deepEqual(ids, [...ids].sort().reverse());
        } finally {
            alloc.remove();
        }
    });
});
