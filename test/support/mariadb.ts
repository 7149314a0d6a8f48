/**
 * A real MariaDB 10.11 (Debian's `mariadb-server`) for the backup tests: a temporary data
 * dir, a unix socket, a loopback port, run as `mysql` (its uid, from the start) when the tests
 * run as root; root has no password (the socket dir is private to the test). Stopped by PID.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { EngineBackupCommands } from "../../backups/backupScripts";
import { engineOf, resolveVersion } from "../../engines";
import { requireTool } from "./exec";
import { must, unprivileged } from "./postgres";
import { freePort, startProcess, Started, stopProcess, waitFor } from "./procs";

/** A running server. */
export interface MariaDbServer {
    readonly socket: string;
    readonly port: number;
    /** Runs SQL with the mariadb client (batch, no column names); throws on error. */
    sql(db: string, sql: string): string;
    stop(): Promise<void>;
}

/** Starts a fresh server. */
export async function startMariaDb(): Promise<MariaDbServer> {
    requireTool("mariadbd", "mariadb-server");
    requireTool("mariadb-install-db", "mariadb-server");
    const user = unprivileged("mysql");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mariadb-"));
    fs.chmodSync(dir, 0o755);
    const data = path.join(dir, "data");
    fs.mkdirSync(data);
    fs.chownSync(dir, user.uid, user.gid);
    fs.chownSync(data, user.uid, user.gid);
    const socket = path.join(dir, "mysqld.sock");
    let proc: Started | undefined;
    const stop = async (): Promise<void> => {
        if (proc) await stopProcess(proc, 30_000);
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        must("mariadb-install-db", ["--no-defaults", `--datadir=${data}`, "--auth-root-authentication-method=normal", "--skip-test-db"], user);
        const port = await freePort();
        const log = path.join(dir, "mariadbd.log");
        const args = ["--no-defaults", `--datadir=${data}`, `--socket=${socket}`, `--port=${port}`, "--bind-address=127.0.0.1",
            `--pid-file=${path.join(dir, "mariadbd.pid")}`, "--skip-log-bin", "--innodb-buffer-pool-size=256M", "--innodb-flush-log-at-trx-commit=0",
            "--skip-name-resolve"];
        proc = startProcess("mariadbd", "mariadbd", args, log, process.env, user);
        await waitFor("MariaDB", () => spawnSync("mariadb-admin", ["--no-defaults", "-S", socket, "-u", "root", "ping"], { stdio: "ignore" }).status === 0, 60_000, [proc]);
        return {
            socket, port, stop,
            sql: (db, text) => must("mariadb", ["--no-defaults", "-S", socket, "-u", "root", "-N", "-B", db], { input: text }),
        };
    } catch (e) {
        await stop();
        throw e;
    }
}

/**
 * MariaDB's commands: the engine's own (engines/mariadb: backupSpec), for an instance whose
 * socket is this server's.
 */
export function mariadbCommands(m: MariaDbServer, db: string): EngineBackupCommands {
    const version = resolveVersion("mariadb", "10.11");
    if (!version.ok) throw new Error(version.message);
    const spec = engineOf("mariadb").backupSpec({
        database: db, mountpoint: "/unused", version: version.version, size: { ramMb: 1024, vcpus: 1 }, volumeGb: 1, users: [], schemas: [],
        paths: { socketDir: path.dirname(m.socket), port: m.port },
    });
    return { engine: spec.engine, dump: spec.dump, ...(spec.rowCounts ? { rowCounts: spec.rowCounts } : {}), restore: spec.restore };
}

/** Per table: row count and CHECKSUM TABLE … EXTENDED, for comparing two databases. */
export function mariadbTableDigests(m: MariaDbServer, db: string): Record<string, string> {
    const tables = m.sql(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1").trim().split("\n").filter(Boolean);
    const out: Record<string, string> = {};
    for (const t of tables) {
        const count = m.sql(db, `SELECT COUNT(*) FROM \`${t}\``).trim();
        const sum = m.sql(db, `CHECKSUM TABLE \`${t}\` EXTENDED`).trim().split("\t")[1];
        out[t] = `${count} ${sum}`;
    }
    return out;
}


/** Seeds a database comparable to pgbench: ~`rows` accounts, branches, a history with text, NULLs, blobs, a view and a trigger. */
export function seedMariaDb(m: MariaDbServer, db: string, rows: number): void {
    m.sql(db, `
CREATE TABLE branches (bid INT PRIMARY KEY, bbalance INT NOT NULL, filler CHAR(88)) ENGINE=InnoDB;
CREATE TABLE accounts (aid INT PRIMARY KEY, bid INT NOT NULL, abalance INT NOT NULL, note VARCHAR(100) NULL, filler CHAR(84), KEY (bid)) ENGINE=InnoDB;
CREATE TABLE history (id BIGINT AUTO_INCREMENT PRIMARY KEY, aid INT, delta INT, mtime DATETIME(6), payload BLOB, label VARCHAR(40) CHARACTER SET utf8mb4) ENGINE=InnoDB;
CREATE TABLE audit (n INT) ENGINE=InnoDB;
CREATE TRIGGER history_audit AFTER INSERT ON history FOR EACH ROW INSERT INTO audit VALUES (NEW.aid);
INSERT INTO branches SELECT seq, 0, NULL FROM seq_1_to_${Math.max(1, Math.floor(rows / 100000))};
INSERT INTO accounts SELECT seq, 1 + seq % ${Math.max(1, Math.floor(rows / 100000))}, seq % 1000, IF(seq % 7 = 0, NULL, CONCAT('n', seq)), '' FROM seq_1_to_${rows};
INSERT INTO history (aid, delta, mtime, payload, label) SELECT seq, CAST(seq % 97 AS SIGNED) - 48, TIMESTAMP('2026-01-01') + INTERVAL seq SECOND, UNHEX(MD5(seq)), CONCAT('é€', seq) FROM seq_1_to_${Math.floor(rows / 10)};
CREATE VIEW rich AS SELECT aid, abalance FROM accounts WHERE abalance > 900;
`);
}
