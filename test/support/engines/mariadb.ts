/**
 * A real MariaDB server (Debian's 10.11) for the engine tests, set up exactly from the engine
 * definition's task specs: the service task's option file and TLS files written as Nomad renders
 * them; the data directory initialised the way the image's entrypoint does it (facts of
 * MariaDB/mariadb-docker's docker-entrypoint.sh, restated here: mariadb-install-db with its
 * arguments and ours; a temporary server with --skip-networking; root@localhost's password from
 * MARIADB_ROOT_PASSWORD_FILE; no root but root@localhost (MARIADB_ROOT_HOST=localhost);
 * `healthcheck` accounts and <datadir>/.my-healthcheck.cnf), then the server started with the
 * task's command and arguments as mysql and stopped with the task's kill signal.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EngineInstance, TaskSpec } from "../../../engines";
import { freePort, Ran, run, runOk, ServerProcess, testSecrets, TestServer, waitFor } from "./sandbox";

/** mariadb-install-db's arguments in the image's entrypoint (before and after the command's own). */
const INSTALL_DB_FIRST = ["--rpm", "--auth-root-authentication-method=normal"];
const INSTALL_DB_LAST = [
    "--cross-bootstrap", "--skip-test-db", "--old-mode=UTF8_IS_UTF8MB3", "--default-time-zone=SYSTEM", "--enforce-storage-engine=",
    "--skip-log-bin", "--expire-logs-days=0", "--loose-innodb_buffer_pool_load_at_startup=0", "--loose-innodb_buffer_pool_dump_at_shutdown=0",
];
/**
 * The temporary server's extra arguments in the image's entrypoint: 10.11's (the series tested
 * here); 11.4's and 11.8's add --skip-ssl --ssl-cert='' --ssl-key='' --ssl-ca=''.
 */
const TEMP_SERVER = ["--skip-networking", "--default-time-zone=SYSTEM", "--wsrep_on=OFF", "--expire-logs-days=0", "--skip-slave-start", "--loose-innodb_buffer_pool_load_at_startup=0"];

/** A SQL string literal (backslash escapes on). */
export function sqlString(s: string): string {
    return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** A running server and what the tests need to talk to it. */
export class MariadbServer extends TestServer {
    constructor() {
        super("mariadb", "mysql", "mariadb");
    }

    get port(): number {
        return this.inst.paths!.port!;
    }

    get socket(): string {
        return `${this.sandbox.socketDir}/mysqld.sock`;
    }

    get dataDir(): string {
        return this.engine.dataDir(this.inst);
    }

    /** Initialises and starts the server for an instance built by `make` (given the sandbox's paths). */
    async start(make: (paths: EngineInstance["paths"]) => EngineInstance): Promise<void> {
        this.inst = make(this.sandbox.paths(await freePort()));
        this.secrets = testSecrets(this.engine.secretItems(this.inst));
        this.service = this.engine.serviceTask(this.inst);
        this.sandbox.writeTaskFiles(this.service, this.secrets, this.engine.uid);
        const env = { ...process.env, ...this.service.env };
        const [defaultsFile] = this.service.args;

        this.sandbox.engineDir(this.dataDir);
        runOk("mariadb-install-db", [`--datadir=${this.dataDir}`, ...INSTALL_DB_FIRST, defaultsFile, ...INSTALL_DB_LAST], { user: this.user.name, env });

        const log = path.join(this.sandbox.logDir, "mariadb.log");
        const temp = new ServerProcess(log, "mariadbd", [...this.service.args, ...TEMP_SERVER, `--socket=${this.socket}`], { user: this.user, env });
        await waitFor("the temporary server", () => this.rootSql("SELECT 1", { password: "" }).status === 0);
        // docker_setup_db: root@localhost's password, no other root, healthcheck accounts and their option file.
        const rootPassword = fs.readFileSync(this.service.env.MARIADB_ROOT_PASSWORD_FILE, "utf8").replace(/\n+$/, "");
        const hc = `Hc${Math.random().toString(36).slice(2)}`;
        const setup = [
            "SET @@SESSION.SQL_LOG_BIN=0;",
            "DROP USER IF EXISTS root@'127.0.0.1', root@'::1';",
            "EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\\'', @@hostname,'\\'');",
            `SET PASSWORD FOR 'root'@'localhost' = PASSWORD(${sqlString(rootPassword)});`,
            ...["127.0.0.1", "::1", "localhost"].flatMap((h) => [`CREATE USER IF NOT EXISTS healthcheck@'${h}' IDENTIFIED BY '${hc}';`, `GRANT USAGE ON *.* TO healthcheck@'${h}';`]),
        ].join("\n");
        const s = this.rootSql(setup, { password: "" });
        if (s.status !== 0) throw new Error(s.stderr);
        const cnf = path.join(this.dataDir, ".my-healthcheck.cnf");
        fs.writeFileSync(cnf, `[mariadb-client]\nport=${this.port}\nsocket=${this.socket}\nuser=healthcheck\npassword=${hc}\n`, { mode: 0o600 });
        fs.chownSync(cnf, this.user.uid, this.user.gid);
        this.initHealthFailed = this.health().status !== 0;
        await temp.stop("SIGTERM", 60);

        this.server = new ServerProcess(log, "mariadbd", this.service.args, { user: this.user, env });
        await waitFor("MariaDB to be healthy", () => this.health().status === 0);
    }

    /** The service task's health check, run as Nomad's script check would (as root, in the task). */
    health(): Ran {
        const h = this.service.healthCheck!;
        return run(h.command, h.args);
    }

    /**
     * SQL as root over the socket: unix_socket authentication (no password), or with a password
     * (right after initialisation).
     */
    rootSql(sql: string, opts: { password?: string; database?: string } = {}): Ran {
        const auth = opts.password === undefined ? [] : [`--password=${opts.password}`];
        return run("mariadb", ["--no-defaults", "--protocol=socket", `--socket=${this.socket}`, "--user=root", ...auth, "--batch", "--skip-column-names", ...(opts.database ? [`--database=${opts.database}`] : [])], { input: sql });
    }

    rootSqlOk(sql: string, database?: string): string {
        const r = this.rootSql(sql, { database });
        if (r.status !== 0) throw new Error(`${sql}\n${r.stderr}`);
        return r.stdout;
    }

    /** Runs a task's command in the sandbox as the task's user (its files written first). */
    runTask(task: TaskSpec, secrets = this.secrets): Ran {
        this.sandbox.writeTaskFiles(task, secrets, this.engine.uid);
        return run(task.command!, task.args, { user: task.user, env: { ...process.env, ...task.env } });
    }

    /** A client over TCP: `tls` verifies the server against the test CA, `false` refuses TLS. */
    tcp(user: string, password: string, sql: string, opts: { tls: boolean; ca?: string; database?: string }): Ran {
        const tlsArgs = opts.tls ? ["--ssl", `--ssl-ca=${opts.ca}`, "--ssl-verify-server-cert"] : ["--skip-ssl"];
        return run("mariadb", [
            "--no-defaults", "--protocol=tcp", "--host=127.0.0.1", `--port=${this.port}`, `--user=${user}`, `--password=${password}`, ...tlsArgs,
            "--batch", "--skip-column-names", `--database=${opts.database ?? this.inst.database}`, "-e", sql,
        ]);
    }

    password(item: string): string {
        return this.secrets[item].replace(/\n+$/, "");
    }

    async stop(): Promise<number | undefined> {
        return this.server ? await this.server.stop(this.service.killSignal as NodeJS.Signals, this.service.killTimeoutSeconds!) : undefined;
    }
}
