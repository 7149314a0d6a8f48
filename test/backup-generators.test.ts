/**
 * The backup generators on their own: INI, rclone's obscure (against the real rclone), the
 * rclone config (read back by the real rclone; the Nomad-template form equals the literal
 * form once the Variable's items are substituted, and holds none of them), the manifest,
 * shellcheck on every generated script, and the refusals.
 */
import { strict as assert } from "node:assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    backupId, backupJobFiles, backupTime, DEFAULT_BACKUP_OPTIONS, DEFAULT_RETENTION, DUMP_FILE_ARG, EngineBackupCommands, literalRef,
    nomadVariableRef, obscure, parseManifest, rcloneConfig, renderIni, restoreJobFiles, restoreScript, reveal, SECRET_ITEMS, SCRIPT_FILES,
    BackupStore, dumpScript,
} from "../backups";
import { requireTool, run } from "./support/exec";

const PG: EngineBackupCommands = {
    engine: "postgresql",
    dump: ["pg_dump", "-h", "/var/run/postgresql", "-U", "postgres", "-Fc", "-Z0", "app"],
    rowCounts: ["psql", "-X", "-At", "-F", "\t", "-d", "app", "-c", "SELECT 'it''s', 1"],
    restore: { input: "file", argv: ["pg_restore", "-d", "app", "--exit-on-error", "-j", "2", DUMP_FILE_ARG] },
};
const MARIADB: EngineBackupCommands = {
    engine: "mariadb",
    dump: ["mariadb-dump", "--single-transaction", "--quick", "app"],
    rowCounts: ["sh", "-c", "mariadb -N -B app -e \"$1\" | mariadb -N -B app", "row-counts", "SELECT 1"],
    restore: { input: "stdin", argv: ["mariadb", "app"] },
};
const OPTS = { ...DEFAULT_BACKUP_OPTIONS, retention: DEFAULT_RETENTION };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "backup-gen-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function rclone(conf: string, args: string[]): string {
    const file = path.join(tmp, "rclone.conf");
    fs.writeFileSync(file, conf);
    const r = run("rclone", ["--config", file, ...args]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
}

describe("backups: INI and rclone's obscure", () => {
    it("renders sections and refuses what a reader would read back differently", () => {
        assert.equal(renderIni([{ name: "a", entries: { x: "1", y: 2, z: true } }, { name: "pipeline:main", entries: {} }]), "[a]\nx = 1\ny = 2\nz = true\n\n[pipeline:main]\n");
        assert.throws(() => renderIni([{ name: "a", entries: { x: "1\n[b]" } }]), /line break/);
        assert.throws(() => renderIni([{ name: "a", entries: { x: " padded" } }]), /blanks/);
        assert.throws(() => renderIni([{ name: "a", entries: { "x=y": "1" } }]), /not plain/);
        assert.throws(() => renderIni([{ name: "a]", entries: {} }]), /not plain/);
        assert.throws(() => renderIni([{ name: "a", entries: {} }, { name: "a", entries: {} }]), /twice/);
    });

    it("obscures as rclone does: rclone reveals ours, we reveal rclone's", () => {
        requireTool("rclone", "rclone");
        const secret = "pa$$ word/with+odd=chars";
        const r = run("rclone", ["reveal", obscure(secret)]);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stdout.trim(), secret);
        assert.equal(reveal(run("rclone", ["obscure", secret]).stdout.trim()), secret);
    });
});

describe("backups: rclone config", () => {
    const stores = {
        primary: { auth: { kind: "keystone", authUrl: "https://keystone.example.org:5000/v3", region: "RegionOne", applicationCredentialId: "0123abcd" }, container: "dbaas-app-backups", chunkSize: "1G" },
        secondary: { auth: { kind: "tempauth", authUrl: "http://127.0.0.1:8080/auth/v1.0", user: "dr:backup" }, container: "dbaas-app-backups", chunkSize: "1G" },
    } satisfies { primary: BackupStore; secondary: BackupStore };
    const values: Record<string, string> = {};
    for (const c of ["primary", "secondary"] as const) {
        values[SECRET_ITEMS.cryptPassword(c)] = obscure(`password-of-${c}`);
        values[SECRET_ITEMS.cryptSalt(c)] = obscure(`salt-of-${c}`);
        values[SECRET_ITEMS.swiftSecret(c)] = `swift-secret-of-${c}`;
    }

    it("is read back by rclone: four remotes, crypt over each cloud's container", () => {
        const conf = rcloneConfig(stores, literalRef(values));
        assert.deepEqual(rclone(conf, ["listremotes"]).trim().split("\n").sort(), ["primary:", "primary_store:", "secondary:", "secondary_store:"]);
        const dump = JSON.parse(rclone(conf, ["config", "dump"])) as Record<string, Record<string, string>>;
        assert.equal(dump.primary.type, "crypt");
        assert.equal(dump.primary.remote, "primary_store:dbaas-app-backups");
        assert.equal(dump.primary_store.application_credential_secret, "swift-secret-of-primary");
        assert.equal(dump.primary_store.auth_version, "3");
        assert.equal(dump.secondary_store.key, "swift-secret-of-secondary");
        assert.equal(reveal(dump.secondary.password), "password-of-secondary");
    });

    it("as a Nomad template reads every secret from the Variable, and equals the literal config once rendered", () => {
        const tpl = rcloneConfig(stores, nomadVariableRef("nomad/jobs/app-backup"));
        for (const v of Object.values(values)) assert.ok(!tpl.includes(v), "a secret value in the template");
        const rendered = tpl.replace(/\{\{ with nomadVar "nomad\/jobs\/app-backup" \}\}\{\{ \.([a-z_]+) \}\}\{\{ end \}\}/g, (_m, item: string) => values[item]);
        assert.equal(rendered, rcloneConfig(stores, literalRef(values)));
        assert.equal((tpl.match(/nomadVar/g) ?? []).length, 6);
    });

    it("refuses a bad container name or chunk size, and a secondary is optional", () => {
        assert.throws(() => rcloneConfig({ primary: { ...stores.primary, container: "a/b" } }, literalRef(values)), /container/);
        assert.throws(() => rcloneConfig({ primary: { ...stores.primary, chunkSize: "1 GB" } }, literalRef(values)), /chunk size/);
        assert.doesNotMatch(rcloneConfig({ primary: stores.primary }, literalRef(values)), /secondary/);
    });
});

describe("backups: names and manifest", () => {
    const manifest = [
        "dbaas-backup-manifest\t1", "id\tapp-20260102T030405Z", "engine\tpostgresql", "version\t15.18", "database\tapp",
        "object\tapp-20260102T030405Z.zst", "compression\tzstd", "size\t123", `sha256\t${"ab".repeat(32)}`,
        "started\t2026-01-02T03:04:05Z", "finished\t2026-01-02T03:05:00Z", "rows\tpublic.t\t42", "rows\tpublic.u\t0", "",
    ].join("\n");

    it("backup ids carry the UTC start time, and only valid times parse", () => {
        const t = new Date("2026-01-02T03:04:05.678Z");
        assert.equal(backupId("my-db", t), "my-db-20260102T030405Z");
        assert.equal(backupTime("my-db", "my-db-20260102T030405Z")?.toISOString(), "2026-01-02T03:04:05.000Z");
        assert.equal(backupTime("my-db", "my-db-20260230T030405Z"), null);
        assert.equal(backupTime("my", "my-db-20260102T030405Z"), null);
        assert.equal(backupTime("my-db", "my-db-20260102T030405"), null);
    });

    it("parses a manifest and refuses a broken one, saying what is wrong", () => {
        const m = parseManifest(manifest);
        assert.equal(m.size, 123);
        assert.deepEqual(m.rows, { "public.t": 42, "public.u": 0 });
        assert.throws(() => parseManifest(manifest.slice(0, -1)), /truncated/);
        assert.throws(() => parseManifest(manifest.replace("size\t123", "size\t12x")), /size/);
        assert.throws(() => parseManifest(manifest.replace("object\tapp-20260102T030405Z.zst", "object\tother.zst")), /object/);
        assert.throws(() => parseManifest(manifest.replace("rows\tpublic.u\t0\n", "")
            .replace("rows\tpublic.t\t42", "rows\tpublic.t\t42\nrows\tpublic.t\t1")), /twice/);
        assert.throws(() => parseManifest("x\n"), /first line/);
    });
});

describe("backups: generated scripts", () => {
    it("pass shellcheck (bash for the engine tasks, POSIX sh for the rclone tasks)", () => {
        requireTool("shellcheck", "shellcheck");
        const files: Record<string, string> = {};
        const pgCountsItself: EngineBackupCommands = { ...PG, rowCounts: undefined };
        for (const [engine, cmd] of [["pg", PG], ["mariadb", MARIADB], ["pg-counts-itself", pgCountsItself]] as const) {
            const b = backupJobFiles(cmd, OPTS);
            const r = restoreJobFiles(cmd);
            for (const [name, text] of Object.entries({ ...b.dump, ...b.upload, ...r.fetch, ...r.restore })) {
                if (name.endsWith(".sh")) files[`${engine}-${name}`] = text;
            }
        }
        assert.equal(Object.keys(files).length, 15);
        for (const [name, text] of Object.entries(files)) {
            const file = path.join(tmp, name);
            fs.writeFileSync(file, text);
            const shell = /^#!\/bin\/bash/.test(text) ? "bash" : "sh";
            assert.equal(shell, [SCRIPT_FILES.dump, SCRIPT_FILES.restore].some((s) => name.endsWith(s)) ? "bash" : "sh", name);
            const r = run("shellcheck", [file]);
            assert.equal(r.status, 0, `${name}:\n${r.stdout}${r.stderr}`);
        }
    });

    it("quote the engine's argv (a quote inside a word survives) and bake the options in", () => {
        const s = dumpScript(PG, { ...OPTS, zstdLevel: 5, zstdThreads: 2 });
        assert.match(s, /ROWS=\(psql -X -At -F '\t' -d app -c 'SELECT '\\''it'\\'''\\''s'\\'', 1'\)/);
        assert.match(s, /zstd -q -c -5 -T2/);
        assert.match(restoreScript(PG), /RESTORE=\(pg_restore -d app --exit-on-error -j 2 "\$work\/dump"\)/);
    });

    it("refuse inconsistent inputs", () => {
        assert.throws(() => restoreScript({ ...PG, restore: { input: "file", argv: ["pg_restore", "-d", "app"] } }), /must name the dump/);
        assert.throws(() => restoreScript({ ...MARIADB, restore: { input: "stdin", argv: ["x", DUMP_FILE_ARG] } }), /file restore/);
        assert.throws(() => dumpScript(PG, { ...OPTS, zstdLevel: 22 }), /zstd level/);
        assert.throws(() => dumpScript({ ...PG, dump: [] }, OPTS), /empty command/);
        assert.throws(() => backupJobFiles(PG, { ...OPTS, retention: { ...DEFAULT_RETENTION, daily: 0 } }), /daily/);
    });
});
