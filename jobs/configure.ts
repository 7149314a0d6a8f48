/**
 * The `configure` batch job: creates the database, its owner, the extra users and the schemas
 * (the engine's configuration script), once the engine is ready. Idempotent, so it runs again
 * whenever its inputs change (a new job version) and changes nothing when they did not.
 */
import { BATCH_CPU_MHZ, BATCH_MEMORY_MB } from "./resources";
import { dockerTask, hostVolumes, jobHeader, seconds } from "./parts";
import { jobId } from "./ids";
import { shellQuote } from "../common/shell";
import { JobPlacement, NomadJob, TaskSpec } from "./types";

/**
 * A task that waits until the engine is ready: the engine's own health check, run from a
 * container of the same image with the same files and the socket, every 2 s for up to 30 min.
 */
export function waitForEngineTask(service: TaskSpec): TaskSpec {
    if (!service.healthCheck) throw new Error("the engine's task has no health check");
    const check = [service.healthCheck.command, ...service.healthCheck.args].map(shellQuote).join(" ");
    return {
        image: service.image,
        command: "bash",
        args: ["-c", `for _ in $(seq 1 900); do if ${check} >/dev/null 2>&1; then exit 0; fi; sleep 2; done; echo "the engine is not ready after 30 min" >&2; exit 1`],
        env: {},
        // Its plain files (configuration, the check itself), none of its secrets.
        files: service.files.filter((f) => !("secret" in f)),
        volumes: service.volumes.filter((v) => v.volume === "socket"),
    };
}

/** What the configure job needs besides its placement. */
export interface ConfigureJobArgs {
    /** The engine's service task (the job waits until its health check passes). */
    readonly service: TaskSpec;
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
                    { ...dockerTask("wait-for-engine", waitForEngineTask(args.service), id, resources), Lifecycle: { Hook: "prestart", Sidecar: false } },
                    dockerTask("configure", args.task, id, resources),
                ],
            }],
        },
    };
}
