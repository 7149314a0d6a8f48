/**
 * The `engine` service job: the database's engine in a docker container on the node that holds
 * the volume, its data and socket through host volumes, its port on the node's address, a Consul
 * service named after the database with the engine's readiness check.
 */
import { BATCH_MEMORY_MB, ENGINE_CPU_MHZ } from "./resources";
import { dockerTask, hostVolumes, jobHeader, seconds } from "./parts";
import { jobId } from "./ids";
import { JobPlacement, NomadJob, TaskSpec } from "./types";

/** What the engine job needs besides its placement. */
export interface EngineJobArgs {
    /** The engine's service task. */
    readonly task: TaskSpec;
    /** Job meta: the engine, its exact version… (no secret). */
    readonly meta: Readonly<Record<string, string>>;
}

/** The engine's service job. */
export function engineJob(p: JobPlacement, args: EngineJobArgs): NomadJob {
    const id = jobId(p.database, "engine");
    const header = jobHeader(p, id, "service");
    if (!args.task.healthCheck) throw new Error("the engine's task has no health check");
    if (!args.task.port) throw new Error("the engine's task has no port");
    return {
        Job: {
            ...header,
            ID: id,
            Type: "service",
            Meta: { ...(header["Meta"] as Record<string, string>), ...args.meta },
            // One engine: a new version replaces the old one in place (the volume cannot be in two places).
            Update: {
                MaxParallel: 1,
                HealthCheck: "checks",
                MinHealthyTime: seconds(10),
                HealthyDeadline: seconds(600),
                ProgressDeadline: seconds(900),
                AutoRevert: false,
                Canary: 0,
            },
            TaskGroups: [{
                Name: "engine",
                Count: 1,
                Volumes: hostVolumes(),
                // The port on the node's address (the floating IP points there), the container on the host's network.
                Networks: [{ Mode: "host", ReservedPorts: [{ Label: "db", Value: args.task.port }] }],
                Services: [{
                    Name: p.database,
                    PortLabel: "db",
                    Provider: "consul",
                    TaskName: "engine",
                    Tags: [`engine=${args.meta["dbaas.engine"] ?? ""}`],
                    Checks: [{
                        Name: "ready",
                        Type: "script",
                        TaskName: "engine",
                        Command: args.task.healthCheck.command,
                        Args: [...args.task.healthCheck.args],
                        Interval: seconds(10),
                        Timeout: seconds(5),
                    }],
                }],
                // A crash restarts in place (the data is here); Pacemaker moves the node, not Nomad.
                RestartPolicy: { Attempts: 5, Interval: seconds(600), Delay: seconds(10), Mode: "delay" },
                Tasks: [dockerTask("engine", args.task, id, { cpuMhz: ENGINE_CPU_MHZ, memoryMb: BATCH_MEMORY_MB })],
            }],
        },
    };
}
