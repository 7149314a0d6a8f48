/**
 * The same backup and restore scripts against a real MariaDB 10.11 (`mariadb-dump
 * --single-transaction` into the stream, the `mariadb` client restoring from standard input):
 * a seeded database (500,000 accounts, history with blobs and UTF-8, NULLs, a trigger, a view)
 * round-trips through Swift into a fresh server, from the primary and from the secondary, with
 * equal row counts and CHECKSUM TABLE for every table; the restore drill passes on it; a
 * corrupt object fails naming it. The commands are the engine's own (engines/mariadb).
 */
import { strict as assert } from "node:assert";
import * as fs from "fs";
import { parseManifest, Manifest } from "../backups";
import { useSwift } from "./support/swift";
import { mariadbCommands, mariadbTableDigests, seedMariaDb, startMariaDb } from "./support/mariadb";
import { backupOnce, jobEnv, newSecrets, restoreOnce, show, testRcloneConf, useServerPair } from "./support/backupFixture";
import { run } from "./support/exec";
import { drillOnce } from "./support/drill";

describe("backups: MariaDB 10.11 to Swift and back", function () {
    this.timeout(300_000);
    const env = jobEnv("shop", "mariadb", "10.11");
    const swift = useSwift();
    const [src, dst] = useServerPair(startMariaDb);
    let conf: string;
    let source: Record<string, string>;
    let manifest: Manifest;

    before(() => {
        src().sql("mysql", "CREATE DATABASE shop");
        seedMariaDb(src(), "shop", 500_000);
        source = mariadbTableDigests(src(), "shop");
        conf = testRcloneConf(swift(), "db-shop", newSecrets(swift()), "1M");
    });

    function freshTarget(): void {
        dst().sql("mysql", "DROP DATABASE IF EXISTS shop; CREATE DATABASE shop");
    }

    it("backs up with the table row counts in the manifest", async () => {
        const b = await backupOnce(mariadbCommands(src(), "shop"), conf, env);
        assert.equal(b.upload.code, 0, show(b.dump, b.upload));
        assert.equal(b.dump.code, 0, show(b.dump, b.upload));
        manifest = parseManifest(b.manifest ?? "");
        assert.equal(manifest.engine, "mariadb");
        assert.deepEqual(manifest.rows, { accounts: 500_000, audit: 50_000, branches: 5, history: 50_000 });
    });

    it("the restore drill restores it into a throw-away MariaDB (no networking, data in a temporary directory) and passes", async () => {
        const d = await drillOnce("mariadb", conf, env, swift().dir);
        assert.equal(d.drill?.code, 0, show(d.fetch, d.drill));
        assert.equal(d.result["result"], "passed", JSON.stringify(d.result));
        assert.equal(d.result["backup"], manifest.id);
        assert.equal(d.result["rows"], 500_000 + 50_000 + 5 + 50_000);
        assert.match(d.consul, /^kv put dbaas\/databases\/shop\/restore-drill @/);
    });

    for (const remote of ["primary", "secondary"] as const) {
        it(`restores from the ${remote} into a fresh server: row counts and CHECKSUM TABLE of every table match`, async () => {
            freshTarget();
            const r = await restoreOnce(mariadbCommands(dst(), "shop"), conf, env, remote, "latest");
            assert.equal(r.restore?.code, 0, show(r.fetch, r.restore));
            assert.deepEqual(mariadbTableDigests(dst(), "shop"), source);
            assert.equal(dst().sql("shop", "SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema = 'shop'").trim(), "1");
        });
    }

    it("restoreFrom: into a server without the database (the dump creates it), once: the mark makes a second run do nothing", async () => {
        dst().sql("mysql", "DROP DATABASE IF EXISTS shop");
        const mark = `${swift().dir}/mariadb-mark`;
        const cmd = mariadbCommands(dst(), "shop");
        const r = await restoreOnce(cmd, conf, { ...env, DBAAS_RESTORE_MARK: mark }, "primary", manifest.id);
        assert.equal(r.restore?.code, 0, show(r.fetch, r.restore));
        assert.deepEqual(mariadbTableDigests(dst(), "shop"), source);
        assert.ok(fs.existsSync(mark));
        const again = await restoreOnce(cmd, conf, { ...env, DBAAS_RESTORE_MARK: mark }, "primary", manifest.id);
        assert.match(again.restore?.stderr ?? "", /restored already/);
    });

    it("refuses a backup of another engine (the manifest is checked first), before touching the database", async () => {
        freshTarget();
        const r = await restoreOnce({ ...mariadbCommands(dst(), "shop"), engine: "mariadb" }, conf, { ...env, DBAAS_ENGINE: "postgresql" }, "primary", manifest.id);
        assert.notEqual(r.restore?.code, 0);
        assert.match(r.restore?.stderr ?? "", new RegExp(`primary:${manifest.object} is a mariadb backup; this is postgresql`));
        assert.equal(dst().sql("shop", "SHOW TABLES").trim(), "");
    });

    it("fails naming the object when a stored byte changed", async () => {
        const file = `${swift().dir}/mariadb-rclone.conf`;
        fs.writeFileSync(file, conf);
        const enc = run("rclone", ["--config", file, "cryptdecode", "--reverse", "primary:", manifest.object]).stdout.trim().split(/\s+/).pop()!;
        const seg = swift().swift(swift().primary, ["list", "db-shop_segments", "--prefix", `${enc}/`]).split("\n").filter(Boolean).sort()[0];
        const local = `${swift().dir}/mseg`;
        swift().swift(swift().primary, ["download", "db-shop_segments", seg, "-o", local]);
        const bytes = fs.readFileSync(local);
        bytes[bytes.length - 7] ^= 0x80;
        fs.writeFileSync(local, bytes);
        swift().swift(swift().primary, ["upload", "db-shop_segments", local, "--object-name", seg]);
        freshTarget();
        const r = await restoreOnce(mariadbCommands(dst(), "shop"), conf, env, "primary", "latest");
        assert.equal(r.restore, undefined, "the restore task never ran");
        assert.match(r.fetch.stderr, new RegExp(`cannot fetch backup object primary:${manifest.object}`));
        assert.equal(dst().sql("shop", "SHOW TABLES").trim(), "");
    });
});
