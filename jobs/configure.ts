/**
 * The `configure` batch job: creates the database, its owner, the extra users and the schemas
 * (the engine's configuration script), once the engine is ready. Idempotent, so it runs again
 * whenever its inputs change (a new job version) and changes nothing when they did not.
 */
import { BATCH_CPU_MHZ, BATCH_MEMORY_MB } from "./resources";
import { dockerTask, hostVolumes, jobHeader, seconds } from "./parts";
import { jobId } from "./ids";
import { JobPlacement, NomadJob, TaskSpec } from "./types";

/** What the configure job needs besides its placement. */
export interface ConfigureJobArgs {
    /** The engine's task that waits until the engine is ready (its own readiness check, beside it). */
    readonly wait: TaskSpec;
    /** The engine's configuration task. */
    readonly task: TaskSpec;
    /** A fingerprint of the inputs (users, schemas, passwords…): a change makes a new job version, which runs. No secret. */
    readonly inputsFingerprint: string;
}

/** The configure job. */
export function configureJob(p: JobPlacement, args: ConfigureJobArgs): NomadJob {
    const id = jobId(p.database, "configure");
    const header = jobHeader(p, id, "batch");
    const resources = { cpuMhz: BATCH_CPU_MHZ, memoryMb: BATCH_MEMORY_MB };
    return {
        Job: {
            ...header,
            ID: id,
            Type: "batch",
            Meta: { ...(header["Meta"] as Record<string, string>), "dbaas.inputs": args.inputsFingerprint },
            TaskGroups: [{
                Name: "configure",
                Count: 1,
                Volumes: hostVolumes(),
                // A failure is retried in place, then rescheduled: the engine may be moving.
                RestartPolicy: { Attempts: 3, Interval: seconds(600), Delay: seconds(15), Mode: "fail" },
                ReschedulePolicy: { Attempts: 5, Interval: seconds(3600), Delay: seconds(30), DelayFunction: "exponential", MaxDelay: seconds(600), Unlimited: false },
                Tasks: [
                    { ...dockerTask("wait-for-engine", args.wait, id, resources), Lifecycle: { Hook: "prestart", Sidecar: false } },
                    dockerTask("configure", args.task, id, resources),
                ],
            }],
        },
    };
}
