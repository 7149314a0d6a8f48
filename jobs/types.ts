/**
 * What a Nomad job builder takes: where the database's jobs run, and the tasks the engine
 * defines (engines/: its image, command, files, health check, clean shutdown). Pure: no Pulumi.
 */

/** A file a task receives: plain content, or one item of the job's Nomad Variable (a secret). */
export type TaskFile = PlainTaskFile | SecretTaskFile;

/** Owner and mode of a file a task receives. */
interface TaskFileMode {
    /** Path relative to the task directory: `local/…` for plain files, `secrets/…` for secrets (/local, /secrets in the container). */
    readonly destination: string;
    /** Octal mode, e.g. "0600" (default "0644"). */
    readonly perms?: string;
    /** Owner uid inside the container (default: the Nomad client's). */
    readonly uid?: number;
    /** Owner gid inside the container. */
    readonly gid?: number;
}

/** A file with plain content (no `{{`: Nomad renders every file as a template). */
export interface PlainTaskFile extends TaskFileMode {
    /** The content. */
    readonly content: string;
}

/** A file whose content is one item of the job's Nomad Variable. */
export interface SecretTaskFile extends TaskFileMode {
    /** The Variable's item (letters, digits, '_'). */
    readonly secret: string;
}

/** A command run in a task (a health check, a wait). */
export interface TaskCommand {
    /** The program. */
    readonly command: string;
    /** Its arguments. */
    readonly args: readonly string[];
}

/** One task of a job, as the engine defines it. */
export interface TaskSpec {
    /** The image, with its tag. */
    readonly image: string;
    /** Replaces the image's entrypoint. */
    readonly entrypoint?: readonly string[];
    /** Replaces the image's command. */
    readonly command?: string;
    /** Arguments. */
    readonly args: readonly string[];
    /** Environment (never a secret: a secret is a file). */
    readonly env: Readonly<Record<string, string>>;
    /** The user the task runs as (default: the image's). */
    readonly user?: string;
    /** Its files. */
    readonly files: readonly TaskFile[];
    /** The command that says the engine is ready (service tasks). */
    readonly healthCheck?: TaskCommand;
    /** The signal that stops it cleanly. */
    readonly killSignal?: string;
    /** How long it may take to stop cleanly. */
    readonly killTimeoutSeconds?: number;
}

/** Where a database's jobs run. */
export interface JobPlacement {
    /** The database's name (node meta `dbaas.database`; the jobs' ids start with it). */
    readonly database: string;
    /** The Nomad datacenter. */
    readonly datacenter: string;
    /** The Nomad region. */
    readonly region: string;
    /** The data volume's mountpoint: the host volume "data" is mounted at the same path in the tasks. */
    readonly mountpoint: string;
    /** The engine's socket directory: the host volume "socket" is mounted at the same path in the tasks. */
    readonly socketDir: string;
}

/** A Nomad job in the API's JSON form (`{"Job": …}`, PascalCase fields). */
export interface NomadJob {
    /** The job. */
    readonly Job: Readonly<Record<string, unknown>> & { readonly ID: string; readonly Type: "service" | "batch" };
}
