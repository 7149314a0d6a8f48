/**
 * PostgreSQL, as the official image docker.io/library/postgres runs it.
 *
 * Facts from the image (docker-library/postgres: Dockerfile-debian.template, docker-entrypoint.sh):
 * - the server runs as `postgres`, uid/gid 999; STOPSIGNAL SIGINT (fast shutdown); socket
 *   directory /var/run/postgresql (psql's compiled-in default);
 * - the entrypoint, started as root, creates and chowns $PGDATA and /var/run/postgresql, steps
 *   down to postgres, and on an empty $PGDATA (no PG_VERSION) runs
 *   `initdb --username=$POSTGRES_USER --pwfile=<password> $POSTGRES_INITDB_ARGS` (password from
 *   POSTGRES_PASSWORD_FILE), appends `host all all all <auth>` to $PGDATA/pg_hba.conf, starts a
 *   temporary server with `-c listen_addresses=''` and the command's own arguments (so our
 *   config file too), creates POSTGRES_DB if missing with psql over the default socket
 *   directory (it clears PGHOST), and stops it: hence the socket volume is mounted at
 *   /var/run/postgresql, where that psql looks;
 * - a command that is not `postgres` (bash, psql, pg_dump) is exec'd as is.
 */
import { ConnectionParts, EngineInstance, Engine, TaskSpec, BackupCommand, RestoreCommand } from "../engine";
import { checkName, COMMON_FILES, containerPath, MAX_STOP_SECONDS, Placement, plainFile, secretFile, secretItemsOf, shellQuote, userPasswordItem, waitTaskOf, locationsOf, scriptTask, serviceTaskOf } from "../common";
import { resolveWith, VersionFacts } from "../versions";
import { postgresqlConfigureScript } from "./configure";
import { postgresqlBackupSpec, postgresqlScratchTask } from "./backup";
import { POSTGRESQL_RELEASES, POSTGRESQL_RETIRED } from "./releases";
import { pgHbaConf, postgresqlConf, postgresqlSizing } from "./settings";

const IMAGE = "docker.io/library/postgres";
const PORT = 5432;
const UID = 999;
const SOCKET_DIR = "/var/run/postgresql";

/** initdb's arguments (POSTGRES_INITDB_ARGS, after the entrypoint's --username and --pwfile). */
export const POSTGRESQL_INITDB_ARGS: readonly string[] = [
    // UTF-8 with the C.UTF-8 locale: code-point order, the same on every glibc, so that an image
    // whose base OS moves on never silently changes the sort order under existing indexes.
    "--encoding=UTF8",
    "--locale=C.UTF-8",
    // The server's own settings until our config file is read; the same methods as pg_hba.conf.
    "--auth-local=peer",
    "--auth-host=scram-sha-256",
    // Page checksums: silent corruption of the volume is reported, not propagated (18's default).
    "--data-checksums",
];

const FACTS: VersionFacts = { title: "PostgreSQL", image: IMAGE, releases: POSTGRESQL_RELEASES, retired: POSTGRESQL_RETIRED, lineParts: 1 };

const { place, dataDir } = locationsOf("postgresql", { socketDir: SOCKET_DIR, port: PORT });

const FILES = {
    conf: "local/postgresql.conf",
    hba: "local/pg_hba.conf",
    ...COMMON_FILES,
};

/** The psql options every administrator task uses: the socket, the superuser, no psqlrc. */
function adminConnection(inst: EngineInstance, p: Placement): string[] {
    return ["-h", p.socketDir, "-p", String(p.port), "-U", "postgres", "-d", inst.database];
}

/**
 * The health check: healthy when the server accepts the superuser over the socket (peer, run as
 * postgres through the image's gosu: no failed login in the log every interval) and listens on
 * TCP, which the entrypoint's temporary initialisation server (listen_addresses='') does not.
 */
function healthScript(p: Placement): string {
    return `#!/bin/bash
# Health check of the engine task (a Nomad script check): 0 when PostgreSQL accepts connections
# and is not the image's temporary initialisation server (which does not listen on TCP).
set -euo pipefail
listening=$(gosu postgres psql -X -q -A -t -h ${shellQuote(p.socketDir)} -p ${p.port} -U postgres -d postgres \\
  -c "SELECT current_setting('listen_addresses') <> ''")
[ "$listening" = t ]
`;
}

function serviceTask(inst: EngineInstance): TaskSpec {
    const p = place(inst);
    const conf = postgresqlConf(inst, p, { hbaFile: containerPath(p, FILES.hba), certFile: containerPath(p, FILES.cert), keyFile: containerPath(p, FILES.key) });
    return serviceTaskOf(inst, p, UID, {
        command: "postgres",
        args: ["-c", `config_file=${containerPath(p, FILES.conf)}`],
        env: {
            PGDATA: dataDir(inst),
            POSTGRES_USER: "postgres",
            // Only initdb uses the administrator's password: the superuser never logs in with it
            // (peer over the socket, refused over TCP).
            POSTGRES_PASSWORD_FILE: containerPath(p, FILES.adminPassword),
            POSTGRES_INITDB_ARGS: POSTGRESQL_INITDB_ARGS.join(" "),
        },
        files: [plainFile(FILES.conf, conf), plainFile(FILES.hba, pgHbaConf(inst))],
        healthScript: healthScript(p),
        port: PORT,
        sizing: postgresqlSizing(inst.size, inst.volumeGb),
        // SIGINT is PostgreSQL's fast shutdown (roll back sessions, checkpoint, exit); SIGTERM,
        // Nomad's default, is the smart shutdown that waits for every client to leave.
        killSignal: "SIGINT",
    });
}

function waitTask(inst: EngineInstance): TaskSpec {
    const p = place(inst);
    return waitTaskOf(inst, p, healthScript(p), "PostgreSQL");
}

function configureTask(inst: EngineInstance): TaskSpec {
    const p = place(inst);
    const secrets = ["owner_password", ...inst.users.map((u) => userPasswordItem(u.name))];
    return scriptTask(inst, p, { file: FILES.configure, content: postgresqlConfigureScript(inst, p) }, {
        user: "postgres",
        files: secrets.map((s) => secretFile(`secrets/${s}`, s, { perms: "0400", uid: UID, gid: UID })),
    });
}

function sqlTask(inst: EngineInstance, payloadPath: string): TaskSpec {
    const p = place(inst);
    return {
        image: inst.version.image,
        command: "psql",
        // One transaction (--single-transaction) that stops at the first error (ON_ERROR_STOP):
        // psql then rolls back and exits 3, the error on stderr with the file's line number.
        args: ["-X", "-v", "ON_ERROR_STOP=1", "--single-transaction", ...adminConnection(inst, p), "-f", payloadPath],
        env: { PGAPPNAME: "dbaas-sql" },
        user: "postgres",
        files: [],
        volumes: [{ volume: "socket", destination: p.socketDir }],
    };
}

function backupCommand(inst: EngineInstance, opts: { file?: string } = {}): BackupCommand {
    const p = place(inst);
    // Custom format: compressed, and pg_restore can pick, reorder and parallelise. Written to a
    // file, it records each table's offset, which a parallel restore needs to seek; to a pipe it
    // cannot (then restore from a downloaded file: pg_restore -j scans it instead).
    return {
        argv: ["pg_dump", "--format=custom", ...adminConnection(inst, p), ...(opts.file ? ["--file", opts.file] : [])],
        user: "postgres",
        output: opts.file ? "file" : "stdout",
    };
}

function restoreCommand(inst: EngineInstance, opts: { file?: string; jobs?: number } = {}): RestoreCommand {
    const p = place(inst);
    const jobs = opts.jobs ?? 1;
    if (jobs > 1 && !opts.file) throw new Error("pg_restore --jobs needs a file (a pipe cannot be read by several workers)");
    // Into the database the configure job made (pg_dump does not dump roles: configure makes
    // them). --clean --if-exists: the dump's objects replace those of the same name (its
    // schemas, with their privileges, replace the configured ones); --exit-on-error: stop at
    // the first error; one transaction when not parallel.
    const mode = jobs > 1 ? ["--jobs", String(jobs)] : ["--single-transaction"];
    return {
        argv: ["pg_restore", "--clean", "--if-exists", "--exit-on-error", ...mode, ...adminConnection(inst, p), ...(opts.file ? [opts.file] : [])],
        user: "postgres",
        input: opts.file ? "file" : "stdin",
    };
}


/** The application's URI: libpq's URI: every libpq-based driver (and JDBC through its own parser) reads it; sslrootcert must be given to the client beside it (the CA of the connection output). */
function connectionUri(c: ConnectionParts): string {
    const e = encodeURIComponent;
    return `postgresql://${e(c.user)}:${e(c.password)}@${c.host.includes(":") ? `[${c.host}]` : c.host}:${c.port}/${e(c.database)}?sslmode=verify-full`;
}

const RESERVED_USERS = ["postgres", "public", "none", "current_user", "session_user", "current_role", "all"];

/** PostgreSQL. */
export const postgresql: Engine = {
    name: "postgresql", title: "PostgreSQL", port: PORT, image: IMAGE, uid: UID, gid: UID, socketDir: SOCKET_DIR,
    versions: POSTGRESQL_RELEASES.map((r) => r.major), releases: POSTGRESQL_RELEASES, retired: POSTGRESQL_RETIRED,
    restoresUnderAnotherName: true,
    cleanShutdown: { signal: "SIGINT", seconds: MAX_STOP_SECONDS },
    resolveVersion: (text) => resolveWith(FACTS, text),
    checkUserName: (name, database) => checkName("user", name, database, RESERVED_USERS, ["pg_"]),
    checkSchemaName: (name, database) => checkName("schema", name, database, ["information_schema"], ["pg_"]),
    secretItems: (inst) => secretItemsOf("postgres", inst),
    // The tasks and commands, defined above.
    dataDir, serviceTask, waitTask, configureTask, sqlTask, backupCommand, restoreCommand, connectionUri,
    backupSpec: (inst) => {
        const r = restoreCommand(inst);
        return postgresqlBackupSpec(inst, place(inst), adminConnection(inst, place(inst)), { input: r.input, argv: r.argv });
    },
    scratchTask: (inst) => postgresqlScratchTask(inst, place(inst)),
};
