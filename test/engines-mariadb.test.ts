/**
 * The MariaDB engine definition against a real server (Debian's 10.11), started by the tests on
 * loopback in a temporary directory from the service task's own option file and TLS files,
 * initialised as the image's entrypoint does, and configured by the configure task's own script.
 * One server, shared by the tests.
 */
import * as assert from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { EngineInstance } from "../engines";
import { mariadbSizing } from "../engines/mariadb/settings";
import { MariadbServer } from "./support/engines/mariadb";
import { run, runSqlPayload, testInstance, testTls, TRICKY_PASSWORD, waitThenStopChecks } from "./support/engines/sandbox";

const DATABASE = "my-first-db";

/** Everything the configure task may touch, as text: accounts (with their hashes and password dates), database grants, databases. */
function snapshot(m: MariadbServer): string {
    const users = m.rootSqlOk("SELECT User, Host FROM mysql.global_priv ORDER BY User, Host").trim().split("\n").map((l) => l.split("\t"));
    return m.rootSqlOk(`
        SELECT 'account', User, Host, Priv FROM mysql.global_priv ORDER BY User, Host;
        SELECT 'db', d.* FROM mysql.db d ORDER BY Host, Db, User;
        SELECT 'table', t.* FROM mysql.tables_priv t ORDER BY Host, Db, User, Table_name;
        SELECT 'role', r.* FROM mysql.roles_mapping r ORDER BY Host, User, Role;
        SELECT 'schema', SCHEMA_NAME, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA ORDER BY SCHEMA_NAME;
        ${users.filter(([u]) => u !== "mariadb.sys").map(([u, h]) => `SHOW GRANTS FOR '${u}'@'${h}';`).join("\n")}`);
}

describe("MariaDB engine, on a real server (10.11)", function () {
    this.timeout(180_000);
    const m = new MariadbServer();
    let inst: EngineInstance;
    const ca = (): string => testTls().caCertFile;

    before(async () => {
        // The tests run Debian's 10.11: the instance is of that series.
        await m.start((paths) => testInstance("mariadb", "10.11", m.sandbox.mountpoint, paths));
        inst = m.inst;
    });
    after(async () => {
        await m.stop();
        m.sandbox.remove();
    });

    it("runs MariaDB, initialised from the service task (the health check fails on the entrypoint's temporary server, passes on the real one)", () => {
        assert.match(m.rootSql("SELECT VERSION()", { password: m.password("admin_password") }).stdout, /^10\.11\./);
        assert.ok(m.initHealthFailed, "the health check passed on the temporary initialisation server");
        assert.equal(m.health().status, 0);
    });

    it("applies the settings sized from the flavor, TLS required on TCP", () => {
        const sizing = mariadbSizing(inst.size, inst.volumeGb);
        const get = (v: string): string => m.rootSql(`SELECT @@${v}`, { password: m.password("admin_password") }).stdout.trim();
        assert.equal(Number(get("innodb_buffer_pool_size")), sizing.bufferPoolMb * 1024 * 1024);
        assert.equal(get("max_connections"), String(sizing.settings.max_connections));
        assert.equal(Number(get("innodb_log_file_size")), parseInt(String(sizing.settings.innodb_log_file_size), 10) * 1024 * 1024);
        assert.equal(get("require_secure_transport"), "1");
        assert.equal(get("skip_name_resolve"), "1");
        assert.equal(get("datadir"), `${m.sandbox.mountpoint}/mariadb/10.11/`);
    });

    it("refuses root over TCP before it is configured, even with its password (root@localhost is the socket only)", () => {
        const r = m.tcp("root", m.password("admin_password"), "SELECT 1", { tls: true, ca: ca(), database: "mysql" });
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /Access denied for user 'root'@'127\.0\.0\.1'/);
    });

    it("configures the database, its owner, the users and the schemas (databases), with working grants", () => {
        const r = m.runTask(m.engine.configureTask(inst));
        assert.equal(r.status, 0, r.stderr + r.stdout);
        // root: unix_socket only, and alone.
        assert.equal(m.rootSqlOk("SELECT Host, JSON_VALUE(Priv, '$.plugin') FROM mysql.global_priv WHERE User = 'root'").trim(), "localhost\tunix_socket");
        assert.equal(m.rootSql("SELECT 1", { password: m.password("admin_password") }).status, 0, "unix_socket lets OS root in whatever the password");
        const as = (user: string, item: string, sql: string, database = "app") => m.tcp(user, m.password(item), sql, { tls: true, ca: ca(), database });
        let q = as(DATABASE, "owner_password", "CREATE TABLE app.t (id INT AUTO_INCREMENT PRIMARY KEY, v TEXT); INSERT INTO app.t (v) VALUES ('owner')");
        assert.equal(q.status, 0, q.stderr);
        assert.equal(as(DATABASE, "owner_password", "CREATE TABLE t0 (x INT)", DATABASE).status, 0, "the owner's own database");
        q = as("app_writer", "user_app_writer_password", "INSERT INTO app.t (v) VALUES ('writer'); UPDATE app.t SET v = v; DELETE FROM app.t WHERE v = 'nobody'");
        assert.equal(q.status, 0, q.stderr);
        q = as("reporting", "user_reporting_password", "SELECT COUNT(*) FROM app.t");
        assert.equal(q.stdout.trim(), "2", q.stderr);
        q = as("reporting", "user_reporting_password", "INSERT INTO app.t (v) VALUES ('reader')");
        assert.match(q.stderr, /INSERT command denied to user 'reporting'/);
        q = as("app_writer", "user_app_writer_password", "CREATE TABLE app.w (x INT)");
        assert.match(q.stderr, /CREATE command denied/);
        // A table created later (by the administrator) is covered too: database-level grants.
        const s = runSqlPayload(m, "CREATE TABLE audit_log.events (what TEXT);\nINSERT INTO audit_log.events VALUES ('created');\n");
        assert.equal(s.status, 0, s.stderr);
        assert.equal(as("reporting", "user_reporting_password", "SELECT what FROM audit_log.events").stdout.trim(), "created");
        assert.equal(as("app_writer", "user_app_writer_password", "INSERT INTO audit_log.events VALUES ('w')").status, 0);
    });

    it("changes nothing when run again (mysql.global_priv with hashes and password dates, mysql.db, grants identical)", () => {
        const before = snapshot(m);
        const r = m.runTask(m.engine.configureTask(inst));
        assert.equal(r.status, 0, r.stderr + r.stdout);
        assert.equal(snapshot(m), before);
    });

    it("a failing administration batch reports the error and rolls its data changes back (DDL commits: documented)", () => {
        const payload = path.join(m.sandbox.localDir, "failing.sql");
        fs.writeFileSync(payload, "INSERT INTO app.t (v) VALUES ('half');\nUPDATE app.t SET v = 'changed';\nTHIS IS NOT SQL;\nINSERT INTO app.t (v) VALUES ('never');\n");
        const before = m.rootSqlOk("SELECT id, v FROM app.t ORDER BY id");
        let r = m.runTask(m.engine.sqlTask(inst, payload));
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /ERROR 1064 \(42000\) at line 3: You have an error in your SQL syntax/);
        assert.equal(m.rootSqlOk("SELECT id, v FROM app.t ORDER BY id"), before);
        // MariaDB commits DDL implicitly: a table created before the error stays (the sql script says so).
        fs.writeFileSync(payload, "CREATE TABLE app.half (x INT);\nINSERT INTO app.half VALUES (1);\nTHIS IS NOT SQL;\n");
        r = m.runTask(m.engine.sqlTask(inst, payload));
        assert.match(r.stderr, /at line 3/);
        assert.equal(m.rootSqlOk("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 'half'").trim(), "1");
        assert.equal(m.rootSqlOk("SELECT COUNT(*) FROM app.half").trim(), "0", "the insert after the DDL is rolled back");
        assert.match(fs.readFileSync(path.join(m.sandbox.localDir, "sql.sh"), "utf8"), /DDL \(CREATE[\s\S]*commits implicitly in MariaDB/);
        m.rootSqlOk("DROP TABLE app.half");
    });

    it("refuses root over TCP and accepts users over TLS only, the certificate verified", () => {
        let r = m.tcp("root", m.password("admin_password"), "SELECT 1", { tls: true, ca: ca(), database: "mysql" });
        assert.match(r.stderr, /Access denied for user 'root'@'127\.0\.0\.1'/);
        // Without TLS: the configured users REQUIRE SSL, and the server requires secure transport of every account.
        r = m.tcp("reporting", m.password("user_reporting_password"), "SELECT 1", { tls: false, database: "app" });
        assert.notEqual(r.status, 0);
        assert.match(r.stderr, /Access denied for user 'reporting'/);
        m.rootSqlOk("CREATE USER plain@'%' IDENTIFIED BY 'plain-password'; GRANT SELECT ON app.* TO plain@'%';");
        try {
            // An account without REQUIRE SSL, right password: refused without TLS (10.11 reports it as
            // "Access denied"), accepted with it. That is require_secure_transport.
            r = m.tcp("plain", "plain-password", "SELECT 1", { tls: false, database: "app" });
            assert.match(r.stderr, /Access denied for user 'plain'@'127\.0\.0\.1' \(using password: YES\)/);
            assert.equal(m.tcp("plain", "plain-password", "SELECT 1", { tls: true, ca: ca(), database: "app" }).status, 0);
        } finally {
            m.rootSqlOk("DROP USER plain@'%'");
        }
        r = m.tcp("reporting", "wrong", "SELECT 1", { tls: true, ca: ca(), database: "app" });
        assert.match(r.stderr, /Access denied/);
        r = m.tcp("reporting", m.password("user_reporting_password"), "SHOW STATUS LIKE 'Ssl_version'", { tls: true, ca: ca(), database: "app" });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /Ssl_version\tTLSv1\.[23]/);
    });

    it("changes a password without ever logging it, even with the general log on", () => {
        const general = path.join(m.dataDir, "general.log"); // where mysql may write
        m.rootSqlOk(`SET GLOBAL general_log_file = '${general}'; SET GLOBAL log_output = 'FILE'; SET GLOBAL general_log = ON;`);
        try {
            const secrets: Record<string, string> = { ...m.secrets, user_reporting_password: `${TRICKY_PASSWORD}\n` };
            const r = m.runTask(m.engine.configureTask(inst), secrets);
            assert.equal(r.status, 0, r.stderr + r.stdout);
            const ok = m.tcp("reporting", TRICKY_PASSWORD, "SELECT 1", { tls: true, ca: ca(), database: "app" });
            assert.equal(ok.status, 0, ok.stderr);
            const log = fs.readFileSync(general, "utf8") + m.server!.log();
            assert.match(log, /GRANT SELECT ON `app`/, "the general log records the configure task's statements");
            for (const [item, value] of Object.entries(secrets).filter(([k]) => k.endsWith("_password"))) {
                assert.ok(!log.includes(value.trim()), `${item} is in a server log`);
            }
            assert.ok(!log.includes("w#rd"), "the new password is in a server log");
            assert.equal(m.runTask(m.engine.configureTask(inst)).status, 0); // back to the original password
        } finally {
            m.rootSqlOk("SET GLOBAL general_log = OFF;");
        }
    });

    it("takes a user's write access away when the stack config lowers it to read", () => {
        const lowered: EngineInstance = { ...inst, users: inst.users.map((u) => ({ ...u, access: "read" as const })) };
        assert.equal(m.runTask(m.engine.configureTask(lowered)).status, 0);
        const q = m.tcp("app_writer", m.password("user_app_writer_password"), "INSERT INTO app.t (v) VALUES ('no more')", { tls: true, ca: ca(), database: "app" });
        assert.match(q.stderr, /INSERT command denied/);
        const again = snapshot(m);
        assert.equal(m.runTask(m.engine.configureTask(lowered)).status, 0);
        assert.equal(snapshot(m), again);
        assert.equal(m.runTask(m.engine.configureTask(inst)).status, 0);
    });

    it("backs up with mariadb-dump --single-transaction and restores with the mariadb client", () => {
        const dump = path.join(m.sandbox.root, "backup.sql");
        const b = m.engine.backupCommand(inst, { file: dump });
        const out = run(b.argv[0], b.argv.slice(1), { user: b.user });
        assert.equal(out.status, 0, out.stderr);
        const count = m.rootSqlOk("SELECT COUNT(*) FROM app.t").trim();
        for (const db of [DATABASE, ...inst.schemas]) m.rootSqlOk(`DROP DATABASE \`${db}\``);
        assert.equal(m.runTask(m.engine.configureTask(inst)).status, 0);
        const rc = m.engine.restoreCommand(inst, { file: dump });
        const rr = run(rc.argv[0], rc.argv.slice(1), { user: rc.user });
        assert.equal(rr.status, 0, rr.stderr);
        assert.equal(m.rootSqlOk("SELECT COUNT(*) FROM app.t").trim(), count);
        // And from standard input.
        const stdout = run(m.engine.backupCommand(inst).argv[0], m.engine.backupCommand(inst).argv.slice(1));
        m.rootSqlOk("DROP TABLE app.t");
        const rs = m.engine.restoreCommand(inst);
        assert.equal(rs.input, "stdin");
        assert.equal(run(rs.argv[0], rs.argv.slice(1), { input: stdout.stdout }).status, 0);
        assert.equal(m.rootSqlOk("SELECT COUNT(*) FROM app.t").trim(), count);
    });

    waitThenStopChecks(() => m, "MariaDB", [/Shutdown complete/]);
});
