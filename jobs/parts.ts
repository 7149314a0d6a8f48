/** Pieces every job of a database shares: placement, host volumes, a docker task from a task spec. */
import { JobPlacement, TaskFile, TaskSpec } from "./types";

/** A Go time.Duration, in nanoseconds, as Nomad's JSON takes it. */
export function seconds(s: number): number {
    return s * 1_000_000_000;
}

/** The path of the Nomad Variable a job's tasks read: `nomad/jobs/<job id>` (readable by that job only). */
export function variablePath(jobId: string): string {
    return `nomad/jobs/${jobId}`;
}

/** The job's constraint: only this database's nodes (and only the one holding the volume runs a Nomad client). */
export function placementConstraints(p: JobPlacement): object[] {
    return [{ LTarget: "${meta.dbaas.database}", Operand: "=", RTarget: p.database }];
}

/** The fields every job of a database starts with. */
export function jobHeader(p: JobPlacement, id: string, type: "service" | "batch"): Record<string, unknown> {
    return {
        ID: id,
        Name: id,
        Type: type,
        Region: p.region,
        Datacenters: [p.datacenter],
        Meta: { "dbaas.database": p.database },
        Constraints: placementConstraints(p),
    };
}

/** The host volumes of a task group: the data (the volume's mountpoint) and the engine's socket directory (or only those named). */
export function hostVolumes(names: readonly ("data" | "socket")[] = ["data", "socket"]): Record<string, object> {
    return Object.fromEntries(names.map((n) => [n, { Name: n, Type: "host", Source: n, ReadOnly: false }]));
}

const ITEM = /^[a-z_][a-z0-9_]*$/;

/** A Nomad template block for a file: plain content as is, a secret read from the job's Variable. */
export function template(file: TaskFile, jobId: string): Record<string, unknown> {
    let body: string;
    if ("secret" in file) {
        if (!ITEM.test(file.secret)) throw new Error(`not a Variable item name: ${file.secret}`);
        body = `{{ with nomadVar "${variablePath(jobId)}" }}{{ .${file.secret} }}{{ end }}`;
    } else {
        if (file.content.includes("{{")) throw new Error(`${file.destination}: plain content must not contain "{{" (Nomad renders it as a template)`);
        body = file.content;
    }
    if (!/^(local|secrets)\/[A-Za-z0-9_./-]+$/.test(file.destination) || file.destination.includes("..")) {
        throw new Error(`a task file lives under local/ or secrets/: ${file.destination}`);
    }
    return {
        DestPath: file.destination,
        EmbeddedTmpl: body,
        ChangeMode: "restart",
        Perms: file.perms ?? "0644",
        ...(file.uid !== undefined ? { Uid: file.uid } : {}),
        ...(file.gid !== undefined ? { Gid: file.gid } : {}),
        ErrMissingKey: true,
    };
}

/** CPU and memory of a task. */
export interface TaskResources {
    /** CPU shares, in MHz. */
    readonly cpuMhz: number;
    /** Memory reserved, in MB (the engine's task says its own). */
    readonly memoryMb: number;
}

/** A docker task from a task spec: the image on the host network, the host volumes it mounts, its files and its clean shutdown. */
export function dockerTask(name: string, spec: TaskSpec, jobId: string, resources: TaskResources): Record<string, unknown> {
    const config: Record<string, unknown> = { image: spec.image, network_mode: "host", force_pull: false };
    if (spec.shmSizeMb) config["shm_size"] = spec.shmSizeMb * 1024 * 1024;
    if (spec.entrypoint) config["entrypoint"] = [...spec.entrypoint];
    if (spec.command !== undefined) config["command"] = spec.command;
    if (spec.args.length > 0) config["args"] = [...spec.args];
    return {
        Name: name,
        Driver: "docker",
        Config: config,
        ...(spec.user !== undefined ? { User: spec.user } : {}),
        Env: { ...spec.env },
        VolumeMounts: spec.volumes.map((v) => ({ Volume: v.volume, Destination: v.destination, ReadOnly: false })),
        Templates: spec.files.map((f) => template(f, jobId)),
        Resources: { CPU: resources.cpuMhz, MemoryMB: spec.memoryMb ?? resources.memoryMb },
        ...(spec.killSignal ? { KillSignal: spec.killSignal } : {}),
        ...(spec.killTimeoutSeconds ? { KillTimeout: seconds(spec.killTimeoutSeconds) } : {}),
    };
}
