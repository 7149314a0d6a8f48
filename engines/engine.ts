/**
 * What the program knows of one database engine. Everything engine-specific lives in this
 * folder (one folder or file per engine, behind this interface); config, stacks, components,
 * the Nomad job builders and the policy pack read it from the registry (./index.ts) and never
 * branch on an engine's name.
 *
 * Pure: no Pulumi import (the policy pack, the generators and the tests import it too).
 *
 * The shape the Nomad job builders consume: a resolved {@link EngineInstance} goes in, plain
 * {@link TaskSpec}s come out (image, command, environment, files, health check, stop signal).
 * Secrets never appear in a TaskSpec: a file that holds one names an item of the job's Nomad
 * Variable ({@link TaskFile} `secret`), and the program fills those items ({@link SecretItem}).
 */

/** The engines offered, by the name `dbaas:engine` takes. */
export type EngineName = "postgresql" | "mariadb";

/** The size of the flavor the engine runs on (the whole node: the OS and the agents share it). */
export interface FlavorSize {
    /** RAM in MB, as Nova reports it (`ram`). */
    readonly ramMb: number;
    /** vCPUs. */
    readonly vcpus: number;
}

/** What a database user may do in the database's schemas: read (SELECT) or write (SELECT, INSERT, UPDATE, DELETE). */
export type Access = "read" | "write";

/** An application user of the stack config, besides the owner. */
export interface DatabaseUser {
    readonly name: string;
    readonly access: Access;
}

/** A release line the program offers: a PostgreSQL major version or a MariaDB series. */
export interface ReleaseLine {
    /** How `dbaas:version` names it: "16", "11.4". */
    readonly major: string;
    /** The exact minor release the program pins for it ("16.14", "11.4.14"): `dbaas:version: "16"` deploys this one. */
    readonly pinned: string;
    /** The oldest exact minor that `dbaas:version` may pin: the first one published as the image variant we use. */
    readonly oldestMinor: string;
    /** The image tag suffix (the base OS of the image variant), e.g. "trixie", "noble": part of every tag we deploy. */
    readonly variant: string;
    /** Where the pinned figure comes from (for the humans who bump it). */
    readonly source: string;
}

/** A release line no longer offered (end of life upstream). */
export interface RetiredLine {
    readonly major: string;
    /** End of life, ISO date. */
    readonly endOfLife: string;
}

/** A `dbaas:version` resolved to what is deployed. */
export interface ResolvedVersion {
    /** The release line: "16", "11.4" (names the data directory, one per line). */
    readonly major: string;
    /** The exact minor deployed: "16.14", "11.4.14". */
    readonly minor: string;
    /** True when `dbaas:version` named the line and the program chose the minor. */
    readonly pinnedByProgram: boolean;
    /** The image tag: "16.14-trixie". */
    readonly imageTag: string;
    /** The full image reference: "docker.io/library/postgres:16.14-trixie" (a stack output). */
    readonly image: string;
}

/** The outcome of {@link Engine.resolveVersion}: the version, or one sentence saying what is accepted. */
export type VersionResolution =
    | { readonly ok: true; readonly version: ResolvedVersion }
    | { readonly ok: false; readonly message: string };

/**
 * Where the tasks see things, inside their containers. Production leaves every field to its
 * default; the tests point them at temporary directories and loopback ports.
 */
export interface InstancePaths {
    /**
     * Where the Nomad host volume `socket` (host path /run/dbaas/<database name>) is mounted in
     * every task, and where the engine puts its Unix socket: the node's path (the job builders
     * mount host volumes at the same path) or, by default, {@link Engine.socketDir}, the image's
     * own socket directory.
     */
    readonly socketDir?: string;
    /**
     * The image's own socket directory in the engine's container (default
     * {@link Engine.socketDir}). PostgreSQL also listens there when `socketDir` is elsewhere:
     * the image's entrypoint initialises the database with psql over it. Tests point it into
     * their sandbox.
     */
    readonly imageSocketDir?: string;
    /** The task's `local/` directory as the container sees it (default "/local"). */
    readonly localDir?: string;
    /** The task's `secrets/` directory as the container sees it (default "/secrets"). */
    readonly secretsDir?: string;
    /** The address the engine listens on inside its container (default: every address). */
    readonly listenAddress?: string;
    /** The TCP port inside the container (default: {@link Engine.port}). */
    readonly port?: number;
}

/** One database, as the engine's task builders need it. */
export interface EngineInstance {
    /** `dbaas:name`: the database, and its owner role/user, are named exactly this (e.g. "my-first-db"). */
    readonly database: string;
    /**
     * Where the data volume's file system is mounted on the node; the Nomad host volume `data`
     * mounts it at the same path in the engine's container. The data directory is below it.
     */
    readonly mountpoint: string;
    /** The resolved `dbaas:version`. */
    readonly version: ResolvedVersion;
    /** The flavor of the database's nodes. */
    readonly size: FlavorSize;
    /** The data volume's size in GB (bounds the write-ahead/redo log). */
    readonly volumeGb: number;
    /** The application users besides the owner, with their access to the schemas. */
    readonly users: readonly DatabaseUser[];
    /** The schemas of the stack config, owned by the owner (MariaDB: databases). */
    readonly schemas: readonly string[];
    /** Container-side locations; defaults for production (see {@link InstancePaths}). */
    readonly paths?: InstancePaths;
}

/** A file a task receives: plain content, or one item of the job's Nomad Variable (a secret). */
export type TaskFile =
    | {
          /** Nomad task-relative path: `local/…` (plain files). Inside the container: /local/…. */
          readonly destination: string;
          /** The content, verbatim. Never holds `{{` (Nomad renders every file as a Go template). */
          readonly content: string;
          readonly perms?: string;
          readonly uid?: number;
          readonly gid?: number;
      }
    | {
          /** Nomad task-relative path: `secrets/…`. Inside the container: /secrets/…. */
          readonly destination: string;
          /** The item of the job's Nomad Variable whose value is the file's whole content. */
          readonly secret: string;
          readonly perms?: string;
          readonly uid?: number;
          readonly gid?: number;
      };

/** A Nomad host volume a task mounts. */
export interface VolumeMountSpec {
    /** The host volume's name on the node: "data" or "socket". */
    readonly volume: "data" | "socket";
    /** Where the container sees it. */
    readonly destination: string;
}

/** A command run inside the task (a Nomad script check), healthy when it exits 0. */
export interface CommandSpec {
    readonly command: string;
    readonly args: readonly string[];
}

/** One Nomad task, engine-side: everything the job builder needs, nothing secret. */
export interface TaskSpec {
    /** Full image reference, e.g. "docker.io/library/postgres:16.14-trixie". */
    readonly image: string;
    /** Replaces the image's entrypoint (unset: the image's own entrypoint runs). */
    readonly entrypoint?: readonly string[];
    /** Replaces the image's command (Nomad docker `command`). */
    readonly command?: string;
    readonly args: readonly string[];
    /** Never a secret. */
    readonly env: Readonly<Record<string, string>>;
    /** The container user (Nomad task `user`); unset: the image's (root, then its entrypoint steps down). */
    readonly user?: string;
    readonly files: readonly TaskFile[];
    readonly volumes: readonly VolumeMountSpec[];
    /** The container port clients reach (service task only). */
    readonly port?: number;
    /** The memory the task may use, in MB (service task only): the engine's budget on the node. */
    readonly memoryMb?: number;
    /** Size of the container's /dev/shm, in MB, when the engine needs more than docker's 64 MB. */
    readonly shmSizeMb?: number;
    readonly healthCheck?: CommandSpec;
    /** The clean-shutdown signal (Nomad `kill_signal`). */
    readonly killSignal?: string;
    /** How long the engine may take to stop cleanly before it is killed (Nomad `kill_timeout`). */
    readonly killTimeoutSeconds?: number;
}

/** An item of the job's Nomad Variable that the program must fill. */
export interface SecretItem {
    /** The item's key, e.g. "owner_password", "user_reporting_password", "tls_key". */
    readonly name: string;
    /**
     * What to put there. `password`: a generated password (letters and digits are safest; never a
     * newline: trailing newlines of the rendered file are not part of it). `tls-key`: the server's
     * private key (PEM). `tls-cert`: the server's certificate chain (PEM), issued for the address
     * clients connect to.
     */
    readonly kind: "password" | "tls-key" | "tls-cert";
    /** The engine account the password belongs to (passwords only). */
    readonly account?: string;
}

/** A command that writes a logical backup of the database. */
export interface BackupCommand {
    /** Run in a task of the engine's image, as `user`, with the host volume `socket` mounted at the engine's socket directory. */
    readonly argv: readonly string[];
    readonly user?: string;
    /** Where the dump goes: standard output, or the file named in argv. */
    readonly output: "stdout" | "file";
}

/** A command that restores a backup made by {@link BackupCommand}. */
export interface RestoreCommand {
    readonly argv: readonly string[];
    readonly user?: string;
    /** Where the dump comes from: standard input, or the file named in argv. */
    readonly input: "stdin" | "file";
}

/** A restore command's input: the decompressed dump on stdin, or a file named in argv (backups/: `{dump-file}`). */
export interface RestoreInput {
    readonly input: "stdin" | "file";
    readonly argv: readonly string[];
}

/**
 * What the backup, restore and restore-drill jobs run of an engine (backups/ wraps them in its
 * scripts): every command reaches the engine over the socket at the instance's socket directory,
 * as the administrator, run as {@link EngineBackupSpec.user}.
 */
export interface EngineBackupSpec {
    /** The engine's name, as the manifest records it. */
    readonly engine: EngineName;
    /** The OS user of the tasks that run these commands (unset: root). */
    readonly user?: string;
    /** Writes a full logical dump to stdout; without `rowCounts`, also the row counts (in its own snapshot) to `$DBAAS_ROWS_FILE`. */
    readonly dump: readonly string[];
    /** Prints `<table><TAB><count>` per table, beside the dump (absent: the dump writes them). */
    readonly rowCounts?: readonly string[];
    /** Restores into the live database, whose accounts exist (`dbaas restore`). */
    readonly restore: RestoreInput;
    /**
     * Restoring into a new database (a new stack's first restore, the restore drill): `prepare`
     * (when set) creates what the dump needs before it restores (the database and its owner, no
     * login); `restore` gives the objects to the owner and leaves privileges to the configure job.
     */
    readonly fresh: { readonly prepare?: readonly string[]; readonly restore: RestoreInput };
    /** Prints `<table><TAB><count>` per table of the database (the manifest's rows): the drill compares. */
    readonly countRows: readonly string[];
    /** Exits 0 once the engine answers over the socket. */
    readonly ping: readonly string[];
}

/** What a connection URI is made of. */
export interface ConnectionParts {
    readonly host: string;
    readonly port: number;
    readonly database: string;
    readonly user: string;
    readonly password: string;
}

/** One database engine. */
export interface Engine {
    /** The name `dbaas:engine` takes. */
    readonly name: EngineName;
    /** How people write it, e.g. "PostgreSQL". */
    readonly title: string;
    /** The release lines offered, in `dbaas:version` form ("15", "16"…; "10.11", "11.4"…). */
    readonly versions: readonly string[];
    /** The offered lines with their pinned minors. */
    readonly releases: readonly ReleaseLine[];
    /** Lines no longer offered, refused with their end-of-life date. */
    readonly retired: readonly RetiredLine[];
    /** The TCP port the engine listens on (and the only one clients reach). */
    readonly port: number;
    /**
     * Whether a backup restores into a database of another name (PostgreSQL: pg_restore -d
     * names it); MariaDB's dump names its databases, so a new database restored from a backup
     * must have the source's name.
     */
    readonly restoresUnderAnotherName: boolean;
    /** The official image, without tag: "docker.io/library/postgres". */
    readonly image: string;
    /** The uid/gid the image runs the engine as (owner of its key file and data). */
    readonly uid: number;
    readonly gid: number;
    /** The image's own socket directory: where the host volume `socket` is mounted by default. */
    readonly socketDir: string;
    /**
     * The clean-shutdown signal, and the longest time a clean shutdown may be given (the sizing's
     * cap; an instance's own is its service task's `killTimeoutSeconds`, sized from the flavor).
     */
    readonly cleanShutdown: { readonly signal: string; readonly seconds: number };

    /** `dbaas:version` → the release deployed, or why not (see {@link VersionResolution}). */
    resolveVersion(text: string): VersionResolution;
    /** Why a user name is refused (undefined: accepted). */
    checkUserName(name: string, database: string): string | undefined;
    /** Why a schema name is refused (undefined: accepted). */
    checkSchemaName(name: string, database: string): string | undefined;

    /** The data directory: `<mountpoint>/<engine>/<major>`, one per release line. */
    dataDir(inst: EngineInstance): string;
    /** Every Variable item the tasks of this instance read (they depend on its accounts only). */
    secretItems(inst: Pick<EngineInstance, "database" | "users">): readonly SecretItem[];
    /** The URI an application connects with (TLS, the server verified), e.g. postgresql://user:password@host:5432/db?sslmode=verify-full. */
    connectionUri(c: ConnectionParts): string;

    /** The engine itself (Nomad service job). */
    serviceTask(inst: EngineInstance): TaskSpec;
    /**
     * Waits, from a container of the image beside the engine (socket and data volumes mounted),
     * until the engine passes its health check; fails after 10 minutes. The configure job's
     * prestart task.
     */
    waitTask(inst: EngineInstance): TaskSpec;
    /** Creates the database, its owner, the users and the schemas; idempotent (Nomad batch job). */
    configureTask(inst: EngineInstance): TaskSpec;
    /** Runs the SQL file at `payloadPath` (the dispatch payload, container path) as the administrator. */
    sqlTask(inst: EngineInstance, payloadPath: string): TaskSpec;
    /** A logical backup of the database (and its schemas), over the socket as the administrator. */
    backupCommand(inst: EngineInstance, opts?: { file?: string }): BackupCommand;
    /** Restores such a backup, over the socket as the administrator. */
    restoreCommand(inst: EngineInstance, opts?: { file?: string; jobs?: number }): RestoreCommand;
    /** What the backup jobs run (dump with row counts, restores, counts), over the instance's socket. */
    backupSpec(inst: EngineInstance): EngineBackupSpec;
    /**
     * A throw-away server of the engine's image for the restore drill: its data inside the
     * container (gone with it), no TCP at all, its socket in `inst.paths.socketDir`; trusted
     * local administrator. Runs until stopped.
     */
    scratchTask(inst: EngineInstance): TaskSpec;
}

/** The Variable items a task reads. */
export function taskSecrets(task: TaskSpec): string[] {
    return task.files.flatMap((f) => ("secret" in f ? [f.secret] : []));
}
