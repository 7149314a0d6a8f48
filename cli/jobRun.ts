/**
 * What the commands that run a database's jobs share: where Nomad is (the control plane's
 * outputs, or `DBAAS_NOMAD_*` variables for the final backup that `pulumi destroy` runs), which
 * job (the database stack's `jobs` output), and running one allocation to its end with its
 * tasks' logs.
 */
import { OptionSpec, CommandIo, UserError } from "./command";
import { Allocation, exitCode, NomadTarget, taskLogs, waitForAllocation } from "./nomad";
import { isObject, isString, requireOutput, stackOutputs } from "./stackOutputs";

/** The options every such command takes. */
export const STACK_OPTIONS: Readonly<Record<string, OptionSpec>> = {
    stack: { type: "string", value: "NAME", help: "the database stack" },
    outputs: { type: "string", value: "FILE", help: "the database stack's outputs (pulumi stack output --json)" },
    "control-plane-outputs": { type: "string", value: "FILE", help: "its control plane's outputs, secrets shown (pulumi stack output --json --show-secrets)" },
    timeout: { type: "string", value: "SECONDS", help: "how long to wait for the job (default 3600)" },
};

/** `--stack`, required, and `--cloud` (which cloud's copies). */
export const CLOUD_STACK_OPTIONS: Readonly<Record<string, OptionSpec>> = {
    ...STACK_OPTIONS,
    stack: { ...STACK_OPTIONS["stack"]!, required: true },
    cloud: { type: "string", value: "primary|secondary", help: "which cloud's copies (default primary)" },
};

/** The `--cloud` option. */
export function cloudOf(options: Readonly<Record<string, string | boolean | undefined>>): "primary" | "secondary" {
    const cloud = String(options["cloud"] ?? "primary");
    if (cloud !== "primary" && cloud !== "secondary") throw new UserError(`--cloud ${cloud}: primary or secondary`, 2);
    return cloud;
}

/** The environment variables that name Nomad when no stack outputs are read (the final backup of `pulumi destroy`). */
export const NOMAD_ENV = { address: "DBAAS_NOMAD_ADDR", token: "DBAAS_NOMAD_TOKEN", caPem: "DBAAS_NOMAD_CACERT", region: "DBAAS_NOMAD_REGION" } as const;

/** The `--timeout` option in seconds. */
export function timeoutOf(options: Readonly<Record<string, string | boolean | undefined>>, fallback = 3600): number {
    const t = options["timeout"] === undefined ? fallback : Number(options["timeout"]);
    if (!Number.isInteger(t) || t <= 0) throw new UserError(`--timeout ${String(options["timeout"])}: a whole number of seconds is expected`, 2);
    return t;
}

/** Nomad and the id of the stack's job `kind` (a key of its `jobs` output), from the stack outputs. */
export function stackJob(options: Readonly<Record<string, string | boolean | undefined>>, kind: string, command: string): { target: NomadTarget; jobId: string; outputs: Record<string, unknown> } {
    if (options["stack"] === undefined) throw new UserError(`dbaas ${command}: missing --stack (dbaas ${command} --help)`, 2);
    const stack = String(options["stack"]);
    const outputs = stackOutputs(stack, { file: options["outputs"] as string | undefined, command });
    const controlPlane = requireOutput(outputs, stack, "controlPlane", isString, "the control-plane stack it runs under");
    const jobs = requireOutput(outputs, stack, "jobs", isObject, "its Nomad job ids");
    const jobId = requireOutput(jobs, stack, kind, isString, `the ${kind} job's id (a stack deployed before backups existed has none: pulumi up first)`);
    const cp = stackOutputs(controlPlane, { file: options["control-plane-outputs"] as string | undefined, showSecrets: true, command });
    return {
        jobId, outputs,
        target: {
            address: requireOutput(cp, controlPlane, "nomadAddress", isString, "the Nomad API"),
            token: requireOutput(cp, controlPlane, "nomadToken", isString, "the Nomad management token"),
            caPem: requireOutput(cp, controlPlane, "caCertPem", isString, "the platform CA"),
            region: requireOutput(cp, controlPlane, "nomadRegion", isString, "the Nomad region"),
        },
    };
}

/** Nomad from the `DBAAS_NOMAD_*` variables. */
export function envTarget(env: NodeJS.ProcessEnv = process.env): NomadTarget {
    const get = (k: string) => {
        const v = env[k];
        if (v === undefined || v === "") throw new UserError(`${k} is not set (the Nomad API of the final backup)`);
        return v;
    };
    return { address: get(NOMAD_ENV.address), token: get(NOMAD_ENV.token), caPem: get(NOMAD_ENV.caPem), region: get(NOMAD_ENV.region) };
}

/**
 * Waits for the job's allocation, prints its tasks' logs (stdout to standard output for
 * `stdoutTasks`, every stderr to standard error) and returns it with whether it succeeded.
 */
export async function followJob(target: NomadTarget, jobId: string, tasks: readonly string[], timeoutSeconds: number, io: CommandIo, stdoutTasks: readonly string[] = tasks): Promise<{ allocation: Allocation; ok: boolean; stdout: Record<string, string> }> {
    const allocation = await waitForAllocation(target, jobId, timeoutSeconds * 1000);
    const stdout: Record<string, string> = {};
    for (const task of tasks) {
        if (!allocation.TaskStates?.[task]) continue;
        stdout[task] = await taskLogs(target, allocation.ID, task, "stdout");
        if (stdoutTasks.includes(task)) io.out(stdout[task]);
        io.err(await taskLogs(target, allocation.ID, task, "stderr"));
    }
    const failed = tasks.filter((t) => allocation.TaskStates?.[t]?.Failed || (exitCode(allocation, t) ?? 0) !== 0);
    return { allocation, ok: allocation.ClientStatus === "complete" && failed.length === 0, stdout };
}
