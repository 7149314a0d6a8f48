/**
 * Where each generated file lands in the offline plan's `artifacts/` folder: one scheme, used by
 * every component (and read by the lab and the PR diff).
 */

/** The artifact paths, by kind of file. */
export const ARTIFACT_PATHS = {
    /** A machine's user data. */
    cloudInit: (machine: string): string => `cloud-init/${machine}.yaml`,
    /** The files a machine receives over SSH (the reviewer's copy). */
    fileDrop: (machine: string): string => `ssh/${machine}.json`,
    /** A script run over SSH on the control plane. */
    controlPlaneScript: (name: string): string => `ssh/${name}`,
    /** A generated Pacemaker script of a database cluster. */
    pacemaker: (script: string): string => `pacemaker/${script}`,
    /** A Consul object (policy…). */
    consul: (name: string): string => `consul/${name}`,
    /** A Nomad job, as registered. */
    nomadJob: (jobId: string): string => `nomad/${jobId}.json`,
    /** The GitOps file of a database (`dbaas connection` writes the same as `<database>.yml`). */
    connection: (): string => "connection.yml",
} as const;
