/**
 * The `sql` parameterized batch job: each dispatch's payload is SQL, run by the administrator over
 * the engine's socket, in one transaction that stops at the first error (the engine's admin task).
 */
import { BATCH_CPU_MHZ, BATCH_MEMORY_MB } from "./resources";
import { dockerTask, hostVolumes, jobHeader } from "./parts";
import { jobId } from "./ids";
import { JobPlacement, NomadJob, TaskSpec } from "./types";

/** Where Nomad writes a dispatch's payload in the task directory (`local/` is /local in the container). */
export const SQL_PAYLOAD_FILE = "payload.sql";

/** Where the SQL is inside the task's container (the engine's sqlTask reads it there). */
export const SQL_PAYLOAD_PATH = `/local/${SQL_PAYLOAD_FILE}`;

/** The sql job: `task` reads the SQL from {@link SQL_PAYLOAD_PATH}. */
export function sqlJob(p: JobPlacement, task: TaskSpec): NomadJob {
    const id = jobId(p.database, "sql");
    const header = jobHeader(p, id, "batch");
    return {
        Job: {
            ...header,
            ID: id,
            Type: "batch",
            ParameterizedJob: { Payload: "required", MetaRequired: [], MetaOptional: [] },
            TaskGroups: [{
                Name: "sql",
                Count: 1,
                Volumes: hostVolumes(),
                // Administration SQL runs once: never retried, never rescheduled (it may have done part of its work… outside a transaction).
                RestartPolicy: { Attempts: 0, Mode: "fail" },
                ReschedulePolicy: { Attempts: 0, Unlimited: false },
                Tasks: [{
                    ...dockerTask("sql", task, id, { cpuMhz: BATCH_CPU_MHZ, memoryMb: BATCH_MEMORY_MB }),
                    DispatchPayload: { File: SQL_PAYLOAD_FILE },
                }],
            }],
        },
    };
}
