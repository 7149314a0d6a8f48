import { Command, UserError } from "../command";
import { readInputFile } from "../files";
import { dispatch, exitCode, NomadTarget, taskLogs, waitForAllocation } from "../nomad";
import { isObject, isString, requireOutput, stackOutputs } from "../stackOutputs";

/** `dbaas sql`: runs a SQL file as the administrator through the database's sql job. */
export const sql: Command = {
    name: "sql",
    summary: "Run a SQL file as the database's administrator (one transaction, stops at the first error) and print its output.",
    arguments: "<file>",
    positionals: 1,
    options: {
        stack: { type: "string", value: "NAME", help: "the database stack", required: true },
        outputs: { type: "string", value: "FILE", help: "the database stack's outputs (pulumi stack output --json)" },
        "control-plane-outputs": { type: "string", value: "FILE", help: "its control plane's outputs, secrets shown (pulumi stack output --json --show-secrets)" },
        timeout: { type: "string", value: "SECONDS", help: "how long to wait for the job (default 600)" },
    },
    details: [
        "Dispatches the stack's parameterized Nomad job `<database>-sql` with the file as its payload, waits",
        "for it, prints its output and errors, and exits with its exit code. Needs the control plane's Nomad",
        "API (its address, CA and token: the control-plane stack's outputs, read with the Pulumi CLI).",
    ].join("\n"),
    async run({ options, positionals }, io) {
        const payload = Buffer.from(readInputFile(positionals[0]!, "SQL file"));
        const timeout = options["timeout"] === undefined ? 600 : Number(options["timeout"]);
        if (!Number.isInteger(timeout) || timeout <= 0) throw new UserError(`--timeout ${String(options["timeout"])}: a whole number of seconds is expected`, 2);
        const stack = String(options["stack"]);
        const outputs = stackOutputs(stack, { file: options["outputs"] as string | undefined, command: "sql" });
        const controlPlane = requireOutput(outputs, stack, "controlPlane", isString, "the control-plane stack it runs under");
        const jobs = requireOutput(outputs, stack, "jobs", isObject, "its Nomad job ids");
        const jobId = requireOutput(jobs, stack, "sql", isString, "the sql job's id");
        const cp = stackOutputs(controlPlane, { file: options["control-plane-outputs"] as string | undefined, showSecrets: true, command: "sql" });
        const target: NomadTarget = {
            address: requireOutput(cp, controlPlane, "nomadAddress", isString, "the Nomad API"),
            token: requireOutput(cp, controlPlane, "nomadToken", isString, "the Nomad management token"),
            caPem: requireOutput(cp, controlPlane, "caCertPem", isString, "the platform CA"),
            region: requireOutput(cp, controlPlane, "nomadRegion", isString, "the Nomad region"),
        };
        const dispatched = await dispatch(target, jobId, payload);
        io.err(`dbaas sql: dispatched ${dispatched}\n`);
        const allocation = await waitForAllocation(target, dispatched, timeout * 1000);
        io.out(await taskLogs(target, allocation.ID, "sql", "stdout"));
        io.err(await taskLogs(target, allocation.ID, "sql", "stderr"));
        const code = exitCode(allocation, "sql");
        if (allocation.ClientStatus !== "complete" || (code ?? 0) !== 0) {
            io.err(`dbaas sql: ${dispatched} ${allocation.ClientStatus}${code !== undefined ? ` (exit ${code})` : ""}: see its errors above\n`);
            return 1;
        }
        return 0;
    },
};
